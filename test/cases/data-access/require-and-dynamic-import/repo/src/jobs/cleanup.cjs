"use strict";
const { Client } = require("pg");

module.exports = () => new Client();
