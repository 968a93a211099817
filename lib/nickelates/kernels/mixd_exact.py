"""Numba kernels for exact diagonalization of the MixD+V t-J ladder (chapter 7).

State encoding (one ``int64`` per basis state). Site ``s = mu * L + j``
(leg-major: all sites of leg 0, then all sites of leg 1). Bit ``s`` of the
low ``2L`` bits says whether site ``s`` carries an electron (Gutzwiller
projection: at most one); bit ``2L + s`` says whether that electron has spin
up. Fermionic orbitals are ordered ``o = 2 s + sigma`` (``sigma = 0`` up,
``1`` down); every ``c^dagger_a c_b`` picks up ``(-1)**(number of occupied
orbitals strictly between a and b)``, computed explicitly below.

All kernels are ``@njit(cache=True)`` and single-threaded.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _next_same_popcount(v):
    """Gosper's hack: next larger integer with the same number of set bits."""
    t = v | (v - 1)
    return (t + 1) | (((~t & -(~t)) - 1) >> (_ctz(v) + 1))


@njit(cache=True)
def _ctz(v):
    n = 0
    while (v & 1) == 0:
        v >>= 1
        n += 1
    return n


@njit(cache=True)
def _deposit(src, mask):
    """Scatter the low bits of ``src`` onto the set bits of ``mask`` (pdep)."""
    out = np.int64(0)
    k = 0
    m = mask
    pos = 0
    while m:
        if m & 1:
            if (src >> k) & 1:
                out |= np.int64(1) << pos
            k += 1
        m >>= 1
        pos += 1
    return out


@njit(cache=True)
def _masks_with_popcount(nbits, k, count):
    out = np.empty(count, dtype=np.int64)
    if k == 0:
        out[0] = 0
        return out
    v = (np.int64(1) << k) - 1
    for i in range(count):
        out[i] = v
        if i + 1 < count:
            v = _next_same_popcount(v)
    return out


@njit(cache=True)
def build_basis(L, n_e0, n_e1, n_up, c0, c1, cs):
    """All codes with ``n_e0`` electrons on leg 0, ``n_e1`` on leg 1, ``n_up`` up spins.

    ``c0 = C(L, n_e0)``, ``c1 = C(L, n_e1)``, ``cs = C(n_e0 + n_e1, n_up)`` are the
    combinatorial counts (passed in to size the output). Returned sorted.
    """
    m0 = _masks_with_popcount(L, n_e0, c0)
    m1 = _masks_with_popcount(L, n_e1, c1)
    ms = _masks_with_popcount(n_e0 + n_e1, n_up, cs)
    out = np.empty(c0 * c1 * cs, dtype=np.int64)
    twoL = 2 * L
    i = 0
    for a in range(c0):
        for b in range(c1):
            occ = m0[a] | (m1[b] << L)
            for c in range(cs):
                up = _deposit(ms[c], occ)
                out[i] = occ | (up << twoL)
                i += 1
    return np.sort(out)


@njit(cache=True)
def _orb_occupied(code, L, o):
    s = o >> 1
    sig = o & 1
    if ((code >> s) & 1) == 0:
        return False
    is_up = (code >> (2 * L + s)) & 1
    return (is_up == 1) == (sig == 0)


@njit(cache=True)
def _sign_between(code, L, oa, ob):
    """(-1)**(number of occupied orbitals strictly between oa and ob)."""
    lo = min(oa, ob)
    hi = max(oa, ob)
    n = 0
    for o in range(lo + 1, hi):
        if _orb_occupied(code, L, o):
            n += 1
    return 1.0 - 2.0 * (n & 1)


@njit(cache=True)
def _move(code, L, s_from, s_to, up):
    """Move the electron (spin ``up``) from site ``s_from`` to empty ``s_to``."""
    twoL = 2 * L
    code = code & ~(np.int64(1) << s_from) & ~(np.int64(1) << (twoL + s_from))
    code = code | (np.int64(1) << s_to)
    if up:
        code = code | (np.int64(1) << (twoL + s_to))
    return code


@njit(cache=True)
def _row(code, L, t_par, J_perp, V, out_codes, out_vals):
    """Write the nonzero elements <code'|H|code> into the out arrays; return count."""
    twoL = 2 * L
    n = 0
    diag = 0.0
    # rung terms
    for j in range(L):
        s0 = j
        s1 = L + j
        o0 = (code >> s0) & 1
        o1 = (code >> s1) & 1
        if o0 == 0 and o1 == 0:
            diag += V
        elif o0 == 1 and o1 == 1:
            u0 = (code >> (twoL + s0)) & 1
            u1 = (code >> (twoL + s1)) & 1
            if u0 != u1:
                diag -= 0.5 * J_perp  # Sz Sz - n n / 4 = -1/4 - 1/4
                # (J/2)(S+_0 S-_1 + S-_0 S+_1): flip both spins, explicit signs
                # step 1: on site s1 move the electron between its two orbitals
                ob1 = 2 * s1 + (0 if u1 == 1 else 1)
                oa1 = 2 * s1 + (1 if u1 == 1 else 0)
                sgn = _sign_between(code, L, oa1, ob1)
                c2 = code ^ (np.int64(1) << (twoL + s1))
                ob0 = 2 * s0 + (0 if u0 == 1 else 1)
                oa0 = 2 * s0 + (1 if u0 == 1 else 0)
                sgn *= _sign_between(c2, L, oa0, ob0)
                c2 = c2 ^ (np.int64(1) << (twoL + s0))
                if J_perp != 0.0:
                    out_codes[n] = c2
                    out_vals[n] = 0.5 * J_perp * sgn
                    n += 1
    out_codes[n] = code
    out_vals[n] = diag
    n += 1
    # projected hopping along each leg (open boundaries)
    if t_par != 0.0:
        for mu in range(2):
            for j in range(L - 1):
                sa = mu * L + j
                sb = sa + 1
                oa = (code >> sa) & 1
                ob = (code >> sb) & 1
                if oa + ob != 1:
                    continue
                if oa == 1:
                    s_from = sa
                    s_to = sb
                else:
                    s_from = sb
                    s_to = sa
                up = ((code >> (twoL + s_from)) & 1) == 1
                sig = 0 if up else 1
                sgn = _sign_between(code, L, 2 * s_to + sig, 2 * s_from + sig)
                out_codes[n] = _move(code, L, s_from, s_to, up)
                out_vals[n] = -t_par * sgn
                n += 1
    return n


@njit(cache=True)
def _max_row(L):
    return 1 + L + 4 * (L - 1)


@njit(cache=True)
def build_csr(codes, L, t_par, J_perp, V):
    """CSR arrays (indptr, indices, data) of H in the basis ``codes`` (sorted).

    Columns index the ket, rows the bra: row ``r`` holds <r|H|c>. H is real
    symmetric, so building column-wise per ket and storing as rows of the
    transpose is the same matrix.
    """
    dim = codes.shape[0]
    m = _max_row(L)
    buf_c = np.empty(m, dtype=np.int64)
    buf_v = np.empty(m, dtype=np.float64)
    indptr = np.zeros(dim + 1, dtype=np.int64)
    for i in range(dim):
        indptr[i + 1] = indptr[i] + _row(codes[i], L, t_par, J_perp, V, buf_c, buf_v)
    nnz = indptr[dim]
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz, dtype=np.float64)
    for i in range(dim):
        k = _row(codes[i], L, t_par, J_perp, V, buf_c, buf_v)
        p = indptr[i]
        for q in range(k):
            idx = np.searchsorted(codes, buf_c[q])
            if idx >= dim or codes[idx] != buf_c[q]:
                raise RuntimeError("target state outside the sector")
            indices[p + q] = idx
            data[p + q] = buf_v[q]
    return indptr, indices, data


@njit(cache=True)
def rung_profile(codes, L, weights):
    """<n^h_{j0} n^h_{j1}> and <n^h_{j0} + n^h_{j1} - 2 n^h_{j0} n^h_{j1}> per rung."""
    cc = np.zeros(L)
    sc = np.zeros(L)
    for i in range(codes.shape[0]):
        c = codes[i]
        w = weights[i]
        for j in range(L):
            h = 2 - ((c >> j) & 1) - ((c >> (L + j)) & 1)
            if h == 2:
                cc[j] += w
            elif h == 1:
                sc[j] += w
    return cc, sc


@njit(cache=True)
def matvec_reference(codes, L, t_par, J_perp, V, x):
    """Matrix-free H @ x (binary search per element): a slower, independent path."""
    dim = codes.shape[0]
    y = np.zeros(dim)
    m = _max_row(L)
    buf_c = np.empty(m, dtype=np.int64)
    buf_v = np.empty(m, dtype=np.float64)
    for i in range(dim):
        k = _row(codes[i], L, t_par, J_perp, V, buf_c, buf_v)
        for q in range(k):
            idx = np.searchsorted(codes, buf_c[q])
            y[idx] += buf_v[q] * x[i]
    return y
