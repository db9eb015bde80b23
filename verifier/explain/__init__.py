"""`bpfcheck explain`: kernel verifier logs read (kernel_log), matched to the object (locate),
categorised (log_messages) and compared with bpfcheck's own analysis (explain)."""
