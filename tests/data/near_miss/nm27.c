#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_DEVMAP); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } dm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_DEVMAP_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } dh SEC(".maps");
SEC("xdp") int dm_write(struct xdp_md *x) { __u32 k = 0; __u32 *v = bpf_map_lookup_elem(&dm, &k); if (!v) return 0; *v = 3; return 0; }
SEC("xdp") int dh_write(struct xdp_md *x) { __u32 k = 0; __u32 *v = bpf_map_lookup_elem(&dh, &k); if (!v) return 0; *v = 3; return 0; }
SEC("xdp") int dm_delete(struct xdp_md *x) { __u32 k = 0; return bpf_map_delete_elem(&dm, &k); }
char LICENSE[] SEC("license") = "GPL";
