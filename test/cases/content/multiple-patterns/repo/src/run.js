export function run(code) {
  return eval(code);
}
export function compile(code) {
  return new Function(code);
}
