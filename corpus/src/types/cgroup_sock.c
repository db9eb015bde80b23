/* Accepted cgroup/sock_create program: allows only AF_INET sockets. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/sock_create")
int type_cgroup_sock_create(struct bpf_sock *sk)
{
	return sk->family == 2;
}

char LICENSE[] SEC("license") = "GPL";
