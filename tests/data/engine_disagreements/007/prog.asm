; raw packet size=1: r6 <<= 29; if32 r6 s> 62 skip 0; if32 r6 s< 1 skip 0
0: (bf) r9 = r1
1: (85) call unknown#7
2: (bf) r6 = r0
3: (85) call unknown#7
4: (bf) r7 = r0
5: (61) r8 = *(u32 *)(r9 +12)
6: (67) r6 <<= 29
7: (66) if w6 s> 0x3e goto pc+10
8: (c6) if w6 s< 0x1 goto pc+9
9: (61) r2 = *(u32 *)(r9 +0)
10: (61) r3 = *(u32 *)(r9 +4)
11: (bf) r4 = r2
12: (07) r4 += 64
13: (2d) if r4 > r3 goto pc+4
14: (0f) r2 += r6
15: (71) r0 = *(u8 *)(r2 +0)
16: (57) r0 &= 1
17: (95) exit
18: (b7) r0 = 0
19: (95) exit
