#!/usr/bin/python3
"""Checks an nnfrust lower bound on the frustration without trusting nnfrust (NumPy + SciPy only).

  scripts/verify_bound.py GRAPH.mtx CERTIFICATE.npz

GRAPH.mtx: the explicit signed adjacency matrix A (Matrix Market coordinate, real; `nnfrust export-mtx MODEL FILE`
writes it, row = target, column = source; the orientation does not matter below). CERTIFICATE.npz: written by
`nnfrust bound MODEL --certificate FILE` (docs/bounds.md).

What is checked, from the matrix and the certificate's y and p alone:
  W = sum |A_ij|, A_s = A + A^T, D = diag(sum_j |A_s|_ij), L = D - A_s, M = P^-1/2 (L - Diag y) P^-1/2
  1. W equals the certificate's absWeightSum (same graph);
  2. lambda_min(M), computed here (dense eigvalsh up to 4000 nodes, else ARPACK eigsh), is >= the certificate's
     lambdaLowerBound (the probabilistic claim, checked exactly on this matrix);
  3. the bound (sum y + lambdaLowerBound * sum p) / (4 W) equals the certificate's epsilonLower, and the bound with
     the exact lambda_min computed here is reported beside it.
For every s in {-1,1}^n: s^T L s = sum y + s^T (L - Diag y) s >= sum y + lambda_min(M) * sum p, and the frustrated
weight is s^T L s / 4, so eps >= that bound / (4 W). Exit 0 when every check holds, 1 otherwise.
"""
import json
import sys

import numpy as np
import scipy.io
import scipy.sparse as sp
import scipy.sparse.linalg as sla


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a = sp.csr_matrix(scipy.io.mmread(sys.argv[1]), dtype=np.float64)
    cert = np.load(sys.argv[2])
    names = json.loads(bytes(cert["meta"]).decode("utf-8"))["scalars"]
    s = dict(zip(names, cert["scalars"].tolist()))
    y, p = cert["y"], cert["p"]
    n = a.shape[0]
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("PASS " if cond else "FAIL ") + what)
        ok = ok and bool(cond)

    check(y.shape == (n,) and p.shape == (n,) and np.all(p > 0), f"y and p have {n} entries, p > 0")
    w = abs(a).sum()
    check(abs(w - s["absWeightSum"]) <= 1e-9 * w, f"W = {w!r} equals the certificate's {s['absWeightSum']!r}")
    a_s = (a + a.T).tocsr()
    d = np.asarray(abs(a_s).sum(axis=1)).ravel()
    lap = sp.diags(d) - a_s
    q = sp.diags(1 / np.sqrt(p))
    m = (q @ (lap - sp.diags(y)) @ q).tocsr()
    if n <= 4000:
        lam = float(np.linalg.eigvalsh(m.toarray())[0])
    else:
        lam = float(sla.eigsh(m, k=1, which="SA", tol=1e-10, return_eigenvectors=False)[0])
    tol = 1e-9 * max(1.0, abs(lam))
    check(lam >= s["lambdaLowerBound"] - tol,
          f"lambda_min(M) = {lam!r} >= claimed lambdaLowerBound {s['lambdaLowerBound']!r}")
    bound = (y.sum() + s["lambdaLowerBound"] * p.sum()) / (4 * w)
    check(abs(bound - s["epsilonLower"]) <= 1e-9 * abs(bound),
          f"(sum y + lambdaLowerBound sum p) / (4 W) = {bound!r} equals epsilonLower {s['epsilonLower']!r}")
    exact = (y.sum() + lam * p.sum()) / (4 * w)
    print(f"eps >= {bound:.6f} (certificate); with lambda_min computed here: eps >= {exact:.6f}; "
          f"claimed upper end {s['epsilonUpper']:.6f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
