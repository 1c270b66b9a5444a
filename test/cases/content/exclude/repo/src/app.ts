export function f() {
  debugger;
}
