// VM guest library, part 7: the virtual generic timer (CNTV_*_EL0, CNTVCT_EL0). Its interrupt
// is PPI 27 (INTID_VTIMER), level-sensitive: a handler must stop or re-arm the timer before
// returning, or it fires again. The physical timer (CNTP_*) may trap; guests do not use it.
.text

// timer_freq() -> x0 = CNTFRQ_EL0 (Hz)
timer_freq:
    mrs x0, cntfrq_el0
    ret

// timer_now() -> x0 = CNTVCT_EL0 (the ISB keeps the read from moving earlier)
timer_now:
    isb
    mrs x0, cntvct_el0
    ret

// timer_arm(x0 = ticks from now): CNTV_TVAL_EL0 = x0, CNTV_CTL_EL0 = ENABLE (IMASK clear)
timer_arm:
    msr cntv_tval_el0, x0
    mov x0, #1
    msr cntv_ctl_el0, x0
    isb
    ret

// timer_stop(): CNTV_CTL_EL0 = 0 (the interrupt line drops)
timer_stop:
    msr cntv_ctl_el0, xzr
    isb
    ret

// delay_ticks(x0 = ticks): busy-waits on CNTVCT_EL0
delay_ticks:
    isb
    mrs x1, cntvct_el0
1:  isb
    mrs x2, cntvct_el0
    sub x2, x2, x1
    cmp x2, x0
    b.lo 1b
    ret
