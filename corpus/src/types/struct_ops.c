/* struct_ops programs the kernel refuses before any instruction is simulated
 * (check_struct_ops_btf_id(), 5.6+): the loader names the struct a program implements
 * (attach_btf_id) only when a `.struct_ops` variable points at it. libbpf 1.1 reads only
 * `.struct_ops` (`.struct_ops.link` is libbpf 1.2's), so both programs here go to the kernel
 * with attach_btf_id 0: 'attach_btf_id 0 is not a supported struct' before 6.9, ENOTSUPP with
 * no log line after. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct so_ops {
	int (*first)(void);
};

SEC("struct_ops/so_unreferenced")
int so_unreferenced(void)
{
	return 0;
}

SEC("struct_ops/so_link_only")
int so_link_only(void)
{
	return 0;
}

SEC(".struct_ops.link")
struct so_ops so_link = {
	.first = (void *)so_link_only,
};

char _license[] SEC("license") = "GPL";
