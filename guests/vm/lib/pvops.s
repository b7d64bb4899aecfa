// VM guest library, part 9: SeKVM's VM paravirtual hypercalls (sekvm.md §2.4) and the
// kvm-unit-tests NOOP hypercall. Under SeKVM the two pvops return 1. Under plain KVM (and
// QEMU) they are unknown hypercalls and return something else: a guest must behave the same
// either way, so callers ignore the result (or print it only behind "[mode-dependent]").
.text

// kvm_set_desc_pfn(x0 = IPA, x1 = size in bytes) -> x0: grant the host access to the VM's
// pages in [IPA, IPA + size). SeKVM grants only pages already mapped in the VM's stage 2,
// so touch a page before granting it.
kvm_set_desc_pfn:
    mov x2, x1
    mov x1, x0
    ldr x0, =KVM_SET_DESC_PFN
    hvc #0
    ret

// kvm_unset_desc_pfn(x0 = IPA, x1 = size) -> x0: revoke what kvm_set_desc_pfn granted.
kvm_unset_desc_pfn:
    mov x2, x1
    mov x1, x0
    ldr x0, =KVM_UNSET_DESC_PFN
    hvc #0
    ret

// hvc_noop(): the kvm-unit-tests NOOP hypercall (w0 = 0x4b000000), returns at once.
hvc_noop:
    mov w0, #HVC_NOOP
    hvc #0
    ret
