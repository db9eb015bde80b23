/* check_struct_ops_btf_id() (5.6+) asks for a GPL-compatible license before anything else:
 * 'struct ops programs must have a GPL compatible license'. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("struct_ops/so_nongpl")
int so_nongpl(void)
{
	return 0;
}

char _license[] SEC("license") = "Proprietary";
