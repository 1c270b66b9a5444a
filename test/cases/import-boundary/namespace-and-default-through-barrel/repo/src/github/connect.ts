export default function connect() {}
