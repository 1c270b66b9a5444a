export function f(x: number) {
  const y = x * 2;
  console.log(y);
  const z = y + 1;
  console.log("done");
  return y;
}
