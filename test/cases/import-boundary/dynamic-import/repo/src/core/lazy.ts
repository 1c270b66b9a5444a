export async function load(name: string) {
  const plugin = await import(`./plugins/${name}.js`);
  const gh = await import("../github/client.js");
  return [plugin, gh];
}
