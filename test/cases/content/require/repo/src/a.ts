// SPDX-License-Identifier: Apache-2.0
export const a = 1;
