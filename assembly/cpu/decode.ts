// The A64 decoder: instruction word → Op (and a 16-bit aux), following the encoding index of the
// Arm ARM (C4.1) for Armv8.0-A integer instructions plus FEAT_LSE atomics. Everything not listed
// — SIMD&FP, SVE, later extensions, reserved fields — decodes to Op.Undef (the UNDEFINED exception).
// Decoding runs once per instruction word per cached page, so clarity wins over speed here.

import { Op } from "./ops";
import { SYSREG_COUNT, SYSREG_KEYS, SYSINSN_COUNT, SYSINSN_KEYS } from "./sysregs.gen";
import { bitmaskValid } from "./bitmask";

@inline function op(o: Op, aux: u32 = 0): u32 {
  return <u32>o | (aux << 16);
}

@inline function bits(w: u32, hi: u32, lo: u32): u32 {
  return (w >> lo) & ((1 << (hi - lo + 1)) - 1);
}

export function decode(w: u32): u32 {
  const op0 = bits(w, 28, 25);
  if ((op0 & 0xe) == 0x8) return decodeDpImm(w);
  if ((op0 & 0xe) == 0xa) return decodeBranchSys(w);
  if ((op0 & 0x5) == 0x4) return decodeLdSt(w);
  if ((op0 & 0x7) == 0x5) return decodeDpReg(w);
  return op(Op.Undef);   // reserved, SVE, SIMD&FP data processing
}

// ---- data processing (immediate) ----

function decodeDpImm(w: u32): u32 {
  const sf = w >> 31;
  switch (bits(w, 25, 23)) {
    case 0: case 1:
      return op(w >> 31 ? Op.Adrp : Op.Adr);
    case 2: {
      // ADD/ADDS/SUB/SUBS (immediate): sf op S 100010 sh imm12 Rn Rd
      const opS = bits(w, 30, 29);
      if (opS == 0) return op(sf ? Op.AddImmX : Op.AddImmW);
      if (opS == 2) return op(sf ? Op.SubImmX : Op.SubImmW);
      if (opS == 1) return op(Op.AddsImm);
      return op(sf ? Op.SubsImmX : Op.SubsImmW);
    }
    case 4: {
      // Logical (immediate): sf=0 with N=1 is unallocated; reserved bitmasks are UNDEFINED.
      const n = bits(w, 22, 22);
      if (sf == 0 && n == 1) return op(Op.Undef);
      if (!bitmaskValid(n, bits(w, 15, 10), bits(w, 21, 16), sf)) return op(Op.Undef);
      return op(Op.LogImm);
    }
    case 5: {
      const opc = bits(w, 30, 29), hw = bits(w, 22, 21);
      if (opc == 1 || (sf == 0 && hw >= 2)) return op(Op.Undef);
      return op(opc == 0 ? Op.MovN : opc == 2 ? Op.MovZ : Op.MovK);
    }
    case 6: {
      const opc = bits(w, 30, 29), n = bits(w, 22, 22);
      if (opc == 3 || n != sf) return op(Op.Undef);
      if (sf == 0 && (bits(w, 21, 21) != 0 || bits(w, 15, 15) != 0)) return op(Op.Undef);
      // Specialised forms of the common aliases (LSR/LSL/ASR/UBFX/UBFIZ/SBFX/SXTx/UXTx).
      const immr = bits(w, 21, 16), imms = bits(w, 15, 10);
      if (opc == 2) {
        if (imms >= immr) return op(sf ? Op.UbfxX : Op.UbfxW);
        return op(sf ? Op.UbfizX : Op.UbfizW);
      }
      if (opc == 0 && imms >= immr) return op(sf ? Op.SbfxX : Op.SbfxW);
      return op(opc == 0 ? Op.Sbfm : opc == 1 ? Op.Bfm : Op.Ubfm);
    }
    case 7: {
      // EXTR: sf op21 100111 N o0 Rm imms Rn Rd
      if (bits(w, 30, 29) != 0 || bits(w, 21, 21) != 0 || bits(w, 22, 22) != sf) return op(Op.Undef);
      if (sf == 0 && bits(w, 15, 15) != 0) return op(Op.Undef);
      return op(Op.Extr);
    }
  }
  return op(Op.Undef);   // add/sub immediate with tags (FEAT_MTE)
}

// ---- branches, exception generation, system ----

function decodeBranchSys(w: u32): u32 {
  const top = bits(w, 31, 29);
  if ((top & 3) == 0) return op(w >> 31 ? Op.Bl : Op.B);
  if ((top & 3) == 1) {
    if (bits(w, 25, 25) == 0) {
      // CBZ/CBNZ: sf 011010 op imm19 Rt
      const sf = w >> 31, nz = bits(w, 24, 24);
      return op(sf ? (nz ? Op.CbnzX : Op.CbzX) : (nz ? Op.CbnzW : Op.CbzW));
    }
    return op(bits(w, 24, 24) ? Op.Tbnz : Op.Tbz);
  }
  if (top == 2) {
    // B.cond: 0101010 o1 imm19 o0 cond (o1 = 1 or o0 = 1 unallocated without FEAT_HBC)
    if (bits(w, 25, 24) == 0 && bits(w, 4, 4) == 0) return op(Op.BCond);
    return op(Op.Undef);
  }
  if (top == 6) {
    if (bits(w, 25, 24) == 0) return decodeExcGen(w);
    if (bits(w, 25, 22) == 4) return decodeSystem(w);
    if (bits(w, 25, 25) == 1) return decodeBranchReg(w);
  }
  return op(Op.Undef);
}

function decodeExcGen(w: u32): u32 {
  const opc = bits(w, 23, 21), op2 = bits(w, 4, 2), ll = bits(w, 1, 0);
  if (op2 != 0) return op(Op.Undef);
  if (opc == 0) {
    if (ll == 1) return op(Op.Svc);
    if (ll == 2) return op(Op.Hvc);
    if (ll == 3) return op(Op.Smc);
  } else if (opc == 1 && ll == 0) {
    return op(Op.Brk);
  } else if (opc == 2 && ll == 0) {
    return op(Op.Hlt);
  }
  return op(Op.Undef);   // DCPSn (debug state only) and unallocated
}

function decodeBranchReg(w: u32): u32 {
  // 1101011 opc op2 op3 Rn op4
  const opc = bits(w, 24, 21), op2 = bits(w, 20, 16), op3 = bits(w, 15, 10), op4 = bits(w, 4, 0);
  if (op2 != 31 || op3 != 0 || op4 != 0) return op(Op.Undef);
  if (opc == 0) return op(Op.Br);
  if (opc == 1) return op(Op.Blr);
  if (opc == 2) return op(Op.Ret);
  if (opc == 4 && bits(w, 9, 5) == 31) return op(Op.Eret);
  return op(Op.Undef);   // DRPS (debug state) and pointer-authentication forms
}

function decodeSystem(w: u32): u32 {
  // 1101010100 L op0 op1 CRn CRm op2 Rt
  const l = bits(w, 21, 21), op0 = bits(w, 20, 19), op1 = bits(w, 18, 16);
  const crn = bits(w, 15, 12), crm = bits(w, 11, 8), op2 = bits(w, 7, 5), rt = bits(w, 4, 0);
  if (l == 0 && op0 == 0) {
    if (crn == 2 && rt == 31 && op1 == 3) {
      // Hints (C5.6): unallocated hints execute as NOP.
      const hint = (crm << 3) | op2;
      if (hint == 2) return op(Op.Wfe);
      if (hint == 3) return op(Op.Wfi);
      if (hint == 4) return op(Op.Sev);
      if (hint == 5) return op(Op.Sevl);
      return op(Op.Nop, hint);
    }
    if (crn == 3 && rt == 31 && op1 == 3) {
      if (op2 == 2) return op(Op.Clrex);
      if (op2 == 4) return op(Op.Dsb, crm);
      if (op2 == 5) return op(Op.Dmb, crm);
      if (op2 == 6) return op(Op.Isb);
      return op(Op.Undef);   // SB (FEAT_SB), TCOMMIT … not implemented
    }
    if (crn == 4 && rt == 31) {
      // MSR (immediate): SPSel (op1 0, op2 5), DAIFSet (3, 6), DAIFClr (3, 7). PAN/UAO/DIT/SSBS
      // and the rest need features this CPU does not have.
      if (op1 == 0 && op2 == 5) return op(Op.MsrImm, 0);
      if (op1 == 3 && op2 == 6) return op(Op.MsrImm, 1);
      if (op1 == 3 && op2 == 7) return op(Op.MsrImm, 2);
    }
    return op(Op.Undef);
  }
  const key = (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
  if (op0 == 1) {
    if (l == 1) return op(Op.Undef);   // SYSL: no allocated alias
    for (let i = 1; i <= SYSINSN_COUNT; i++) {
      if (<u32>unchecked(SYSINSN_KEYS[i]) == key) return op(Op.Sys, i);
    }
    return op(Op.Undef);
  }
  for (let i = 1; i <= SYSREG_COUNT; i++) {
    if (<u32>unchecked(SYSREG_KEYS[i]) == key) return op(l ? Op.Mrs : Op.Msr, i);
  }
  return op(Op.Undef);
}

// ---- loads and stores ----

function decodeLdSt(w: u32): u32 {
  if (bits(w, 26, 26) != 0) return op(Op.Undef);   // SIMD&FP registers
  const b2928 = bits(w, 29, 28);
  const size = w >> 30;
  if (b2928 == 0) {
    if (bits(w, 24, 24) != 0) return op(Op.Undef);
    return decodeExclusive(w);
  }
  if (b2928 == 1) {
    if (bits(w, 24, 24) != 0) return op(Op.Undef);   // RCPC unscaled, MTE tags …
    const opc = w >> 30;
    return op(opc == 3 ? Op.PrfmLit : Op.LdrLit);
  }
  if (b2928 == 2) {
    // Pairs: opc 101 0 idx L imm7 Rt2 Rn Rt
    const opc = w >> 30, idx = bits(w, 24, 23), l = bits(w, 22, 22);
    if (opc == 3) return op(Op.Undef);
    if (opc == 1 && (l == 0 || idx == 0)) return op(Op.Undef);   // STGP (MTE); no LDNPSW
    if (opc == 2) {
      if (idx == 3 && l == 0) return op(Op.StpXPre);
      if (idx == 1 && l == 1) return op(Op.LdpXPost);
      if (idx == 2) return op(l ? Op.LdpXOff : Op.StpXOff);
    }
    return op(Op.Ldstp);
  }
  // b2928 == 3: register loads and stores
  const opc = bits(w, 23, 22);
  if (bits(w, 24, 24) == 1) {
    // Unsigned immediate
    if (size == 3 && opc == 3) return op(Op.Undef);
    if (size == 2 && opc == 3) return op(Op.Undef);
    if (size == 3 && opc == 2) return op(Op.Nop);   // PRFM (immediate)
    if (size == 3 && opc == 1) return op(Op.LdrXUi);
    if (size == 3 && opc == 0) return op(Op.StrXUi);
    if (size == 2 && opc == 1) return op(Op.LdrWUi);
    if (size == 2 && opc == 0) return op(Op.StrWUi);
    if (size == 0 && opc == 1) return op(Op.LdrbUi);
    if (size == 0 && opc == 0) return op(Op.StrbUi);
    return op(Op.LdstUi);
  }
  if (bits(w, 21, 21) == 0) {
    // imm9 forms: bits 11:10 = 00 unscaled, 01 post, 10 unprivileged, 11 pre
    const idx = bits(w, 11, 10);
    if ((size == 3 && opc == 3) || (size == 2 && opc == 3)) return op(Op.Undef);
    if (size == 3 && opc == 2) return idx == 0 ? op(Op.Nop) : op(Op.Undef);   // PRFUM
    return op(Op.LdstImm9);
  }
  const k = bits(w, 11, 10);
  if (k == 0) return decodeAtomic(w);
  if (k == 2) {
    // Register offset: option<1> must be 1
    if ((bits(w, 15, 13) & 2) == 0) return op(Op.Undef);
    if ((size == 3 && opc == 3) || (size == 2 && opc == 3)) return op(Op.Undef);
    if (size == 3 && opc == 2) return op(Op.Nop);   // PRFM (register)
    return op(Op.LdstReg);
  }
  return op(Op.Undef);   // LDRAA/LDRAB (pointer authentication)
}

function decodeExclusive(w: u32): u32 {
  // size 001000 o2 L o1 Rs o0 Rt2 Rn Rt
  const size = w >> 30, o2 = bits(w, 23, 23), l = bits(w, 22, 22), o1 = bits(w, 21, 21);
  const o0 = bits(w, 15, 15);
  if (o2 == 0 && o1 == 0) return op(l ? Op.Ldx : Op.Stx);
  if (o2 == 0 && o1 == 1) {
    if (size >= 2) return op(l ? Op.Ldxp : Op.Stxp);
    // CASP: Rt2 must be 11111; Rs and Rt even (odd → UNDEFINED, Arm ARM C6.2.45)
    if (bits(w, 14, 10) != 31) return op(Op.Undef);
    if ((bits(w, 20, 16) & 1) != 0 || (bits(w, 4, 0) & 1) != 0) return op(Op.Undef);
    return op(Op.Casp);
  }
  if (o2 == 1 && o1 == 0) {
    if (o0 == 0) return op(Op.Undef);     // LDLAR/STLLR (FEAT_LOR)
    return op(l ? Op.Ldar : Op.Stlr);
  }
  // o2 = 1, o1 = 1: CAS
  if (bits(w, 14, 10) != 31) return op(Op.Undef);
  return op(Op.Cas);
}

function decodeAtomic(w: u32): u32 {
  // size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt
  const o3 = bits(w, 15, 15), opc = bits(w, 14, 12);
  if (o3 == 0) return op(Op.Atomic, opc);
  if (opc == 0) return op(Op.Swp);
  return op(Op.Undef);   // LDAPR (FEAT_LRCPC) and unallocated
}

// ---- data processing (register) ----

function decodeDpReg(w: u32): u32 {
  const sf = w >> 31;
  const op1 = bits(w, 28, 28), op2 = bits(w, 24, 21);
  if (op1 == 0) {
    if ((op2 & 8) == 0) {
      // Logical (shifted register)
      if (sf == 0 && bits(w, 15, 15) != 0) return op(Op.Undef);
      // MOV (register) = ORR Rd, ZR, Rm with no shift
      if (bits(w, 30, 29) == 1 && bits(w, 23, 21) == 0 && bits(w, 15, 5) == 0x1f) return op(Op.MovReg);
      // Unshifted, non-inverted 64-bit AND/ORR/EOR: the common case, without the shifter.
      if (sf == 1 && bits(w, 23, 21) == 0 && bits(w, 15, 10) == 0) {
        const opc = bits(w, 30, 29);
        if (opc == 0) return op(Op.AndRegX);
        if (opc == 1) return op(Op.OrrRegX);
        if (opc == 2) return op(Op.EorRegX);
      }
      return op(Op.LogSr);
    }
    if ((op2 & 1) == 0) {
      // Add/subtract (shifted register)
      if (bits(w, 23, 22) == 3) return op(Op.Undef);
      if (sf == 0 && bits(w, 15, 15) != 0) return op(Op.Undef);
      // Unshifted 64-bit ADD, SUB, SUBS (CMP) register forms, without the shifter.
      if (sf == 1 && bits(w, 23, 22) == 0 && bits(w, 15, 10) == 0) {
        const opS = bits(w, 30, 29);
        if (opS == 0) return op(Op.AddRegX);
        if (opS == 2) return op(Op.SubRegX);
        if (opS == 3) return op(Op.SubsRegX);
      }
      return op(Op.AddSubSr);
    }
    // Add/subtract (extended register): opt must be 00, imm3 ≤ 4
    if (bits(w, 23, 22) != 0 || bits(w, 12, 10) > 4) return op(Op.Undef);
    return op(Op.AddSubEr);
  }
  if (op2 == 0) {
    if (bits(w, 15, 10) != 0) return op(Op.Undef);   // RMIF, SETF (FEAT_FlagM)
    return op(Op.AdcSbc);
  }
  if (op2 == 2) {
    // CCMP/CCMN: S must be 1, o2 (bit 10) and o3 (bit 4) 0
    if (bits(w, 29, 29) != 1 || bits(w, 10, 10) != 0 || bits(w, 4, 4) != 0) return op(Op.Undef);
    return op(Op.Ccmp);
  }
  if (op2 == 4) {
    if (bits(w, 29, 29) != 0 || bits(w, 11, 11) != 0) return op(Op.Undef);
    return op(Op.Csel);
  }
  if (op2 == 6) {
    if (bits(w, 29, 29) != 0) return op(Op.Undef);
    const opcode = bits(w, 15, 10);
    if (bits(w, 30, 30) == 0) {
      // Data-processing (2 source)
      switch (opcode) {
        case 2: return op(Op.Udiv);
        case 3: return op(Op.Sdiv);
        case 8: return op(Op.Lslv);
        case 9: return op(Op.Lsrv);
        case 10: return op(Op.Asrv);
        case 11: return op(Op.Rorv);
      }
      return op(Op.Undef);   // CRC32 (FEAT_CRC32 not implemented), PAC, MTE
    }
    // Data-processing (1 source)
    if (bits(w, 20, 16) != 0) return op(Op.Undef);
    switch (opcode) {
      case 0: return op(Op.Rbit);
      case 1: return op(Op.Rev16);
      case 2: return op(sf ? Op.Rev32 : Op.Rev);
      case 3: return op(sf ? Op.Rev : Op.Undef);
      case 4: return op(Op.Clz);
      case 5: return op(Op.Cls);
    }
    return op(Op.Undef);
  }
  if ((op2 & 8) != 0) {
    // Data-processing (3 source): sf op54 11011 op31 Rm o0 Ra Rn Rd
    if (bits(w, 30, 29) != 0) return op(Op.Undef);
    const op31 = bits(w, 23, 21), o0 = bits(w, 15, 15);
    if (op31 == 0) return op(sf ? (o0 ? Op.MsubX : Op.MaddX) : (o0 ? Op.MsubW : Op.MaddW));
    if (sf == 0) return op(Op.Undef);
    if (op31 == 1) return op(o0 ? Op.Smsubl : Op.Smaddl);
    if (op31 == 5) return op(o0 ? Op.Umsubl : Op.Umaddl);
    if (op31 == 2 && o0 == 0) return op(Op.Smulh);
    if (op31 == 6 && o0 == 0) return op(Op.Umulh);
    return op(Op.Undef);
  }
  return op(Op.Undef);
}
