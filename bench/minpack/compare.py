#!/usr/bin/python3
"""MINPACK's lmder (through scipy.optimize.least_squares(method="lm")) on the Moré–Garbow–Hillstrom problems.

Writes bench/minpack/minpack_lmder.csv: for each problem, f = Σ rᵢ² at the start and at lmder's solution, and lmder's
residual and Jacobian evaluation counts. The C# tests (tests/SymbolicGrad.Solvers.Tests) read that file, so neither
SciPy nor this script is needed at CI time.

Also writes bench/minpack/scipy_lbfgsb.csv: SciPy's minimize(method="L-BFGS-B") with its default options on f = Σ rᵢ²
(gradient 2Jᵀr), what a SciPy user gets, for the comparison table in docs/minimize.md.

Run with Debian's python3-scipy:  apt-get install -y python3-scipy && /usr/bin/python3 bench/minpack/compare.py

Settings, the same as the C# LevenbergMarquardt defaults: ftol = xtol = gtol = 1e-8, factor = 100 (SciPy's), MINPACK's
default scaling mode 1 (x_scale="jac": D from the Jacobian's column norms), maxfev = 100·(n + 1) (lmder1's).

The residuals are transcribed from the paper (the same sizes and starting points as tests/SymbolicGrad.TestProblems);
their Jacobians are computed by the complex step, J[:, j] = Im r(x + ih·eⱼ)/h with h = 1e-30, which is exact to
rounding for these analytic functions (no subtraction), so lmder sees a Jacobian as good as a hand-written one.
The C# tests also check that f(x₀) below equals the C# hand-written residuals' f(x₀), which catches transcription slips.
"""

import csv
import os
import sys

import numpy as np
import scipy
from scipy.optimize import least_squares, minimize


def rosenbrock(x):
    return np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])


def freudenstein_roth(x):
    return np.array([-13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1], -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1]])


def powell_badly_scaled(x):
    return np.array([1e4 * x[0] * x[1] - 1, np.exp(-x[0]) + np.exp(-x[1]) - 1.0001])


def brown_badly_scaled(x):
    return np.array([x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2])


def beale(x):
    y = [1.5, 2.25, 2.625]
    return np.array([y[i - 1] - x[0] * (1 - x[1] ** i) for i in range(1, 4)])


def jennrich_sampson(x):
    return np.array([2 + 2 * i - (np.exp(i * x[0]) + np.exp(i * x[1])) for i in range(1, 11)])


def helical_valley(x):
    if x[0].real > 0:
        theta = np.arctan(x[1] / x[0]) / (2 * np.pi)
    elif x[0].real < 0:
        theta = np.arctan(x[1] / x[0]) / (2 * np.pi) + 0.5
    else:
        theta = 0.25 * np.sign(x[1].real)
    return np.array([10 * (x[2] - 10 * theta), 10 * (np.sqrt(x[0] ** 2 + x[1] ** 2) - 1), x[2]])


def bard(x):
    y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39]
    r = []
    for i in range(1, 16):
        u, v = i, 16 - i
        w = min(u, v)
        r.append(y[i - 1] - (x[0] + u / (v * x[1] + w * x[2])))
    return np.array(r)


def gaussian(x):
    y = [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009]
    return np.array([x[0] * np.exp(-x[1] * ((8 - i) / 2 - x[2]) ** 2 / 2) - y[i - 1] for i in range(1, 16)])


def meyer(x):
    y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872]
    return np.array([x[0] * np.exp(x[1] / (45 + 5 * i + x[2])) - y[i - 1] for i in range(1, 17)])


def gulf(x):
    r = []
    for i in range(1, 100):
        t = i / 100
        y = 25 + (-50 * np.log(t)) ** (2 / 3)
        d = y - x[1]
        a = d if d.real >= 0 else -d  # |y − x₂|, kept analytic for the complex step
        r.append(np.exp(-a ** x[2] / x[0]) - t)
    return np.array(r)


def box3d(x):
    r = []
    for i in range(1, 11):
        t = 0.1 * i
        r.append(np.exp(-t * x[0]) - np.exp(-t * x[1]) - x[2] * (np.exp(-t) - np.exp(-10 * t)))
    return np.array(r)


def extended_powell(x):
    r = []
    for k in range(0, len(x), 4):
        r += [x[k] + 10 * x[k + 1], np.sqrt(5) * (x[k + 2] - x[k + 3]), (x[k + 1] - 2 * x[k + 2]) ** 2, np.sqrt(10) * (x[k] - x[k + 3]) ** 2]
    return np.array(r)


def wood(x):
    return np.array([10 * (x[1] - x[0] ** 2), 1 - x[0], np.sqrt(90) * (x[3] - x[2] ** 2), 1 - x[2],
                     np.sqrt(10) * (x[1] + x[3] - 2), (x[1] - x[3]) / np.sqrt(10)])


def kowalik_osborne(x):
    y = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246]
    u = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625]
    return np.array([y[i] - x[0] * (u[i] ** 2 + u[i] * x[1]) / (u[i] ** 2 + u[i] * x[2] + x[3]) for i in range(11)])


def brown_dennis(x):
    r = []
    for i in range(1, 21):
        t = i / 5
        r.append((x[0] + t * x[1] - np.exp(t)) ** 2 + (x[2] + x[3] * np.sin(t) - np.cos(t)) ** 2)
    return np.array(r)


def osborne1(x):
    y = [0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580,
         0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406]
    return np.array([y[i - 1] - (x[0] + x[1] * np.exp(-10 * (i - 1) * x[3]) + x[2] * np.exp(-10 * (i - 1) * x[4])) for i in range(1, 34)])


def biggs_exp6(x):
    r = []
    for i in range(1, 14):
        t = 0.1 * i
        y = np.exp(-t) - 5 * np.exp(-10 * t) + 3 * np.exp(-4 * t)
        r.append(x[2] * np.exp(-t * x[0]) - x[3] * np.exp(-t * x[1]) + x[5] * np.exp(-t * x[4]) - y)
    return np.array(r)


def osborne2(x):
    y = [1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616, 0.606,
         0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.500, 0.423,
         0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668,
         0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098,
         0.054]
    r = []
    for i in range(1, 66):
        t = (i - 1) / 10
        r.append(y[i - 1] - (x[0] * np.exp(-t * x[4]) + x[1] * np.exp(-(t - x[8]) ** 2 * x[5])
                             + x[2] * np.exp(-(t - x[9]) ** 2 * x[6]) + x[3] * np.exp(-(t - x[10]) ** 2 * x[7])))
    return np.array(r)


def watson(x):
    n = len(x)
    r = []
    for i in range(1, 30):
        t = i / 29
        s1 = sum((j - 1) * x[j - 1] * t ** (j - 2) for j in range(2, n + 1))
        s2 = sum(x[j - 1] * t ** (j - 1) for j in range(1, n + 1))
        r.append(s1 - s2 ** 2 - 1)
    r += [x[0], x[1] - x[0] ** 2 - 1]
    return np.array(r)


def extended_rosenbrock(x):
    r = []
    for k in range(0, len(x), 2):
        r += [10 * (x[k + 1] - x[k] ** 2), 1 - x[k]]
    return np.array(r)


def penalty1(x):
    return np.array([np.sqrt(1e-5) * (xi - 1) for xi in x] + [sum(xi ** 2 for xi in x) - 0.25])


def penalty2(x):
    n = len(x)
    sa = np.sqrt(1e-5)
    r = [x[0] - 0.2]
    for i in range(2, n + 1):
        r.append(sa * (np.exp(x[i - 1] / 10) + np.exp(x[i - 2] / 10) - (np.exp(i / 10) + np.exp((i - 1) / 10))))
    for i in range(n + 1, 2 * n):
        r.append(sa * (np.exp(x[i - n] / 10) - np.exp(-0.1)))
    r.append(sum((n - j + 1) * x[j - 1] ** 2 for j in range(1, n + 1)) - 1)
    return np.array(r)


def variably_dimensioned(x):
    n = len(x)
    s = sum(j * (x[j - 1] - 1) for j in range(1, n + 1))
    return np.array([xi - 1 for xi in x] + [s, s ** 2])


def trigonometric(x):
    n = len(x)
    c = sum(np.cos(xj) for xj in x)
    return np.array([n - c + i * (1 - np.cos(x[i - 1])) - np.sin(x[i - 1]) for i in range(1, n + 1)])


def brown_almost_linear(x):
    n = len(x)
    s = sum(x)
    return np.array([x[i] + s - (n + 1) for i in range(n - 1)] + [np.prod(x) - 1])


def discrete_boundary_value(x):
    n = len(x)
    h = 1 / (n + 1)
    r = []
    for i in range(1, n + 1):
        left = x[i - 2] if i > 1 else 0
        right = x[i] if i < n else 0
        r.append(2 * x[i - 1] - left - right + h ** 2 * (x[i - 1] + i * h + 1) ** 3 / 2)
    return np.array(r)


def discrete_integral_equation(x):
    n = len(x)
    h = 1 / (n + 1)
    r = []
    for i in range(1, n + 1):
        ti = i * h
        below = sum(j * h * (x[j - 1] + j * h + 1) ** 3 for j in range(1, i + 1))
        above = sum((1 - j * h) * (x[j - 1] + j * h + 1) ** 3 for j in range(i + 1, n + 1))
        r.append(x[i - 1] + h * ((1 - ti) * below + ti * above) / 2)
    return np.array(r)


def broyden_tridiagonal(x):
    n = len(x)
    r = []
    for i in range(n):
        left = x[i - 1] if i > 0 else 0
        right = x[i + 1] if i < n - 1 else 0
        r.append((3 - 2 * x[i]) * x[i] - left - 2 * right + 1)
    return np.array(r)


def broyden_banded(x):
    n = len(x)
    r = []
    for i in range(n):
        s = sum(x[j] * (1 + x[j]) for j in range(max(0, i - 5), min(n - 1, i + 1) + 1) if j != i)
        r.append(x[i] * (2 + 5 * x[i] ** 2) + 1 - s)
    return np.array(r)


def linear_full_rank(m):
    def f(x):
        n = len(x)
        s = sum(x)
        return np.array([(x[i] if i < n else 0) - 2 / m * s - 1 for i in range(m)])
    return f


def linear_rank1(m):
    def f(x):
        s = sum(j * x[j - 1] for j in range(1, len(x) + 1))
        return np.array([i * s - 1 for i in range(1, m + 1)])
    return f


def linear_rank1_zero(m):
    def f(x):
        n = len(x)
        s = sum(j * x[j - 1] for j in range(2, n))
        return np.array([-1 + 0 * s] + [(i - 1) * s - 1 for i in range(2, m)] + [-1 + 0 * s])
    return f


def chebyquad(x):
    n = len(x)
    r = []
    for i in range(1, n + 1):
        total = 0
        for xj in x:
            y = 2 * xj - 1
            previous, current = 1, y
            for _ in range(1, i):
                previous, current = current, 2 * y * current - previous
            total = total + current
        ri = total / n
        if i % 2 == 0:
            ri = ri + 1 / (i * i - 1)
        r.append(ri)
    return np.array(r)


# (number, name, residual function, starting point): the sizes of tests/SymbolicGrad.TestProblems.
PROBLEMS = [
    (1, "Rosenbrock", rosenbrock, [-1.2, 1]),
    (2, "Freudenstein and Roth", freudenstein_roth, [0.5, -2]),
    (3, "Powell badly scaled", powell_badly_scaled, [0, 1]),
    (4, "Brown badly scaled", brown_badly_scaled, [1, 1]),
    (5, "Beale", beale, [1, 1]),
    (6, "Jennrich and Sampson", jennrich_sampson, [0.3, 0.4]),
    (7, "Helical valley", helical_valley, [-1, 0, 0]),
    (8, "Bard", bard, [1, 1, 1]),
    (9, "Gaussian", gaussian, [0.4, 1, 0]),
    (10, "Meyer", meyer, [0.02, 4000, 250]),
    (11, "Gulf research and development", gulf, [5, 2.5, 0.15]),
    (12, "Box three-dimensional", box3d, [0, 10, 20]),
    (13, "Powell singular", extended_powell, [3, -1, 0, 1]),
    (14, "Wood", wood, [-3, -1, -3, -1]),
    (15, "Kowalik and Osborne", kowalik_osborne, [0.25, 0.39, 0.415, 0.39]),
    (16, "Brown and Dennis", brown_dennis, [25, 5, -5, -1]),
    (17, "Osborne 1", osborne1, [0.5, 1.5, -1, 0.01, 0.02]),
    (18, "Biggs EXP6", biggs_exp6, [1, 2, 1, 1, 1, 1]),
    (19, "Osborne 2", osborne2, [1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5]),
    (20, "Watson", watson, [0.0] * 6),
    (21, "Extended Rosenbrock", extended_rosenbrock, [-1.2, 1] * 5),
    (22, "Extended Powell singular", extended_powell, [3, -1, 0, 1] * 3),
    (23, "Penalty I", penalty1, list(range(1, 11))),
    (24, "Penalty II", penalty2, [0.5] * 10),
    (25, "Variably dimensioned", variably_dimensioned, [1 - j / 10 for j in range(1, 11)]),
    (26, "Trigonometric", trigonometric, [0.1] * 10),
    (27, "Brown almost-linear", brown_almost_linear, [0.5] * 10),
    (28, "Discrete boundary value", discrete_boundary_value, [j / 11 * (j / 11 - 1) for j in range(1, 11)]),
    (29, "Discrete integral equation", discrete_integral_equation, [j / 11 * (j / 11 - 1) for j in range(1, 11)]),
    (30, "Broyden tridiagonal", broyden_tridiagonal, [-1.0] * 10),
    (31, "Broyden banded", broyden_banded, [-1.0] * 10),
    (32, "Linear function – full rank", linear_full_rank(10), [1.0] * 5),
    (33, "Linear function – rank 1", linear_rank1(10), [1.0] * 5),
    (34, "Linear function – rank 1 with zero columns and rows", linear_rank1_zero(10), [1.0] * 5),
    (35, "Chebyquad", chebyquad, [j / 9 for j in range(1, 9)]),
]


def residuals(f):
    return lambda x: np.real(np.asarray(f(np.asarray(x, dtype=float)), dtype=complex)).astype(float)


def complex_step_jacobian(f):
    def jacobian(x):
        x = np.asarray(x, dtype=float)
        n = len(x)
        columns = []
        for j in range(n):
            z = x.astype(complex)
            z[j] += 1e-30j
            columns.append(np.imag(np.asarray(f(z), dtype=complex)) / 1e-30)
        return np.array(columns).T
    return jacobian


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "minpack_lmder.csv")
    rows = []
    for number, name, f, x0 in PROBLEMS:
        x0 = np.asarray(x0, dtype=float)
        n = len(x0)
        r = residuals(f)
        f0 = float(np.sum(r(x0) ** 2))
        result = least_squares(r, x0, jac=complex_step_jacobian(f), method="lm", ftol=1e-8, xtol=1e-8, gtol=1e-8,
                               x_scale="jac", max_nfev=100 * (n + 1))
        final = float(np.sum(result.fun ** 2))
        rows.append([number, name, n, len(r(x0)), repr(f0), repr(final), result.status, result.nfev, result.njev,
                     " ".join(repr(float(v)) for v in result.x)])
        print(f"{number:2d} {name:52s} n={n:2d} f0={f0:.6e} f={final:.6e} status={result.status} nfev={result.nfev} njev={result.njev}")
    with open(out, "w", newline="\n", encoding="utf-8") as handle:
        handle.write(f"# MINPACK lmder via scipy.optimize.least_squares(method='lm') {scipy.__version__}, numpy {np.__version__}, "
                     f"Python {sys.version.split()[0]}; ftol = xtol = gtol = 1e-8, x_scale='jac', factor 100, max_nfev = 100(n+1); "
                     "f = sum of squares (the paper's f), status as least_squares reports it (1 gtol, 2 ftol, 3 xtol, 4 ftol and xtol, 0 max_nfev)\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["number", "name", "n", "m", "f0", "f", "status", "nfev", "njev", "x"])
        writer.writerows(rows)
    print(f"wrote {out}")

    out = os.path.join(here, "scipy_lbfgsb.csv")
    rows = []
    for number, name, f, x0 in PROBLEMS:
        x0 = np.asarray(x0, dtype=float)
        r = residuals(f)
        jac = complex_step_jacobian(f)

        def value_and_gradient(x):
            rx = r(x)
            return float(np.sum(rx ** 2)), 2 * jac(x).T.dot(rx)

        result = minimize(value_and_gradient, x0, jac=True, method="L-BFGS-B")
        message = result.message if isinstance(result.message, str) else result.message.decode()
        rows.append([number, name, repr(float(result.fun)), bool(result.success), result.nit, result.nfev, message])
        print(f"{number:2d} {name:52s} f={result.fun:.6e} success={result.success} nit={result.nit} nfev={result.nfev} {message}")
    with open(out, "w", newline="\n", encoding="utf-8") as handle:
        handle.write(f"# scipy.optimize.minimize(method='L-BFGS-B') {scipy.__version__} with its default options (ftol 2.2e-9, gtol 1e-5, "
                     "maxcor 10, maxiter 15000) on f = sum of squares, gradient 2 J^T r\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["number", "name", "f", "success", "nit", "nfev", "message"])
        writer.writerows(rows)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
