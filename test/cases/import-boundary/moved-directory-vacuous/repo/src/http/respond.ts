export const respond = () => 200;
