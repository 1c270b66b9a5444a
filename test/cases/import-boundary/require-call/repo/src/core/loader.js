// Legacy loader: require("../github/old") was removed.
const path = require("node:path");
const { Client } = require("../github/client");
/* const Redis = require("ioredis"); */
const Redis = require('ioredis');

module.exports = { path, Client, Redis };
