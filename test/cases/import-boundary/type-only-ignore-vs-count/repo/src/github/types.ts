export interface Issue {}
export interface Repo {}
