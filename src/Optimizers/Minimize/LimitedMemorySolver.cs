using System.Diagnostics;
using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// <c>Minimize</c>'s L-BFGS and L-BFGS-B. Without bounds the direction is the two-loop recursion's −H·g; with bounds it
/// follows Byrd, Lu, Nocedal and Zhu, "A limited memory algorithm for bound constrained optimization" (SIAM J. Sci.
/// Comput. 16(5), 1995): the compact representation B = θI − W·M·Wᵀ, the generalized Cauchy point along the projected
/// steepest-descent path, and a direct primal subspace minimization over the variables it leaves free, truncated to the
/// box. Both take the Moré–Thuente line search (c₁ = 10⁻⁴, c₂ = 0.9, at most 20 evaluations), and restart from steepest
/// descent once when it fails.
/// </summary>
internal sealed class LimitedMemorySolver
{
    private const double Epsilon = 2.220446049250313e-16;
    private const int LineSearchEvaluations = 20;

    /// <summary>
    /// A failed search counts as convergence (inside an open ftol window) only if the model predicted at most this
    /// relative decrease, 100ε: less than rounding in f hides. (At Meyer's minimum L-BFGS's model predicts 1.3e-14 and
    /// Newton's 4e-18; Newton-CG stalled once, with an older forcing term, where its model still predicted 4.9e-14.)
    /// </summary>
    internal const double PrecisionModelDecrease = 100 * Epsilon;

    private readonly DifferentiableFunction _function;
    private readonly MinimizeOptions _options;
    private readonly Bounds? _bounds;
    private readonly int _n;
    private readonly int _memory;

    // The (s, y) pairs, oldest first.
    private readonly List<double[]> _s = [];
    private readonly List<double[]> _y = [];
    private double _theta = 1;

    public LimitedMemorySolver(DifferentiableFunction function, MinimizeOptions options, Bounds? bounds)
    {
        _function = function;
        _options = options;
        _bounds = bounds;
        _n = function.Dimension;
        _memory = options.HistorySize;
    }

    public MinimizeResult Solve(double[] x, List<string> notes)
    {
        var clock = Stopwatch.StartNew();
        int n = _n;
        string method = _bounds is null
            ? string.Create(CultureInfo.InvariantCulture, $"L-BFGS ({_memory} pairs, Moré–Thuente line search)")
            : string.Create(CultureInfo.InvariantCulture, $"L-BFGS-B ({_memory} pairs, Moré–Thuente line search)");
        var g = new double[n];
        var d = new double[n];
        var line = new LineObjective(_function.AsValueAndGradient(), n, _bounds);
        double f = _function.ValueAndGradient(x, g);
        line.Evaluations = 1;
        if (!double.IsFinite(f) || !AllFinite(g))
        {
            return Result(MinimizeStatus.NotFinite, string.Create(CultureInfo.InvariantCulture,
                $"f or its gradient is not finite at the starting point (f = {f})"), x, f, double.NaN, 0);
        }

        int iteration = 0;
        double gnorm = GradientNorm(x, g);
        var monitor = new FunctionToleranceMonitor(_options.FunctionTolerance, 10);
        double modelDecrease = double.PositiveInfinity; // −½gᵀd/|f| of the last failed quasi-Newton direction
        bool confirmedByRestart = false; // the open ftol window was reopened after forgetting the pairs
        int wallIterations = 0, windowIterations = 0; // of the open ftol window: iterations, and those whose line search met f not finite
        while (true)
        {
            if (gnorm <= _options.GradientTolerance)
            {
                return Result(MinimizeStatus.GradientTolerance, string.Create(CultureInfo.InvariantCulture,
                    $"{GradientWords} {gnorm:0.0#e+00} ≤ tolerance {_options.GradientTolerance:0.0#e+00}"), x, f, gnorm, iteration);
            }

            if (iteration >= _options.MaxIterations)
            {
                return Result(MinimizeStatus.MaxIterations, string.Create(CultureInfo.InvariantCulture,
                    $"reached the limit of {_options.MaxIterations} iterations; {GradientWords} {gnorm:0.0#e+00} > tolerance {_options.GradientTolerance:0.0#e+00}"), x, f, gnorm, iteration);
            }

            if (line.Evaluations >= _options.MaxEvaluations)
            {
                return Result(MinimizeStatus.MaxEvaluations, string.Create(CultureInfo.InvariantCulture,
                    $"reached the limit of {_options.MaxEvaluations} evaluations; {GradientWords} {gnorm:0.0#e+00} > tolerance {_options.GradientTolerance:0.0#e+00}"), x, f, gnorm, iteration);
            }

            // The search direction, and the step bound that keeps x + t·d in the box.
            bool fresh = _s.Count == 0;
            Direction(x, g, d);
            double slope = Dot(g, d);
            if (!(slope < 0) && !fresh)
            {
                Forget();
                continue;
            }

            double maxStep = MaxStep(x, d);
            if (!(slope < 0) || maxStep <= 0)
            {
                return Result(MinimizeStatus.LineSearchFailed, string.Create(CultureInfo.InvariantCulture,
                    $"the steepest-descent direction is not a descent direction in floating point; {GradientWords} {gnorm:0.0#e+00} > tolerance {_options.GradientTolerance:0.0#e+00}"),
                    x, f, gnorm, iteration);
            }

            // L-BFGS-B's first trial step: 1/‖d‖ (at most 1) on the first steepest-descent step without bounds, 1 otherwise.
            double step = fresh && _bounds is null ? Math.Min(1 / Norm2(d), maxStep) : Math.Min(1, maxStep);
            line.Reset(x, d);
            long nonFiniteBefore = line.NonFiniteEvaluations;
            int budget = (int)Math.Min(LineSearchEvaluations, _options.MaxEvaluations - line.Evaluations);
            var outcome = MoreThuente.Search(line, f, slope, ref step, maxStep, Math.Max(budget, 1));
            if (outcome == LineSearchOutcome.NoDecrease && !fresh)
            {
                // As L-BFGS-B: forget the curvature pairs and try again from steepest descent.
                modelDecrease = -0.5 * slope / Math.Abs(f);
                Forget();
                continue;
            }

            if (outcome == LineSearchOutcome.NoDecrease &&
                !MoreThuente.BacktrackToPrecision(line, f, Math.Min(1 / Norm2(d), maxStep), (int)Math.Min(60, _options.MaxEvaluations - line.Evaluations)))
            {
                if (monitor.Verifying && modelDecrease <= PrecisionModelDecrease)
                {
                    return Result(MinimizeStatus.FunctionTolerance, monitor.PrecisionLimit(iteration, f) + string.Create(CultureInfo.InvariantCulture,
                        $"; the quasi-Newton model predicted a relative decrease of only {modelDecrease:0.0#e+00} ({GradientWords} {gnorm:0.0#e+00})"), x, f, gnorm, iteration);
                }

                return Result(MinimizeStatus.LineSearchFailed, string.Create(CultureInfo.InvariantCulture,
                    $"no step along the steepest-descent direction decreases f = {f:G10}, down to steps that no longer change x; {GradientWords} {gnorm:0.0#e+00} > tolerance {_options.GradientTolerance:0.0#e+00}: f is probably at the limit of floating-point precision here, or the gradient does not match f"),
                    x, f, gnorm, iteration);
            }

            // Accept the step and update the memory.
            modelDecrease = double.PositiveInfinity;
            double fNew = line.BestF;
            var s = new double[n];
            var y = new double[n];
            double sy = 0, yy = 0;
            for (int i = 0; i < n; i++)
            {
                s[i] = line.BestX[i] - x[i];
                y[i] = line.BestG[i] - g[i];
                sy += s[i] * y[i];
                yy += y[i] * y[i];
            }

            if (sy > Epsilon * yy)
            {
                Remember(s, y, sy, yy);
            }

            double fOld = f;
            Array.Copy(line.BestX, x, n);
            Array.Copy(line.BestG, g, n);
            f = fNew;
            iteration++;
            gnorm = GradientNorm(x, g);
            if (_options.Callback is { } callback &&
                !callback(new MinimizeProgress(iteration, x, f, gnorm, line.Evaluations)))
            {
                return Result(MinimizeStatus.Stopped, "the callback asked to stop", x, f, gnorm, iteration);
            }

            string? converged = gnorm > _options.GradientTolerance ? monitor.Update(iteration, fOld, f) : null;
            if (!monitor.Verifying)
            {
                confirmedByRestart = false;
                wallIterations = windowIterations = 0;
            }
            else
            {
                windowIterations++;
                if (line.NonFiniteEvaluations > nonFiniteBefore)
                {
                    wallIterations++;
                }
            }

            if (converged is not null && 2 * wallIterations > windowIterations)
            {
                // f stopped falling because most steps ran into points where f is not finite: the iterate is pressed
                // against a NaN or ∞ wall, not at a minimum (red-team L: "converged" at (2, 0.33) beside a wall at x = 2,
                // where (2, 0) is lower and ∂f/∂y = 0.67).
                return Result(MinimizeStatus.LineSearchFailed, string.Create(CultureInfo.InvariantCulture,
                    $"f stopped decreasing because the line searches of {wallIterations} of the last {windowIterations} iterations met points where f or its gradient is not finite: the iterate is at the edge of that region, not at a minimum; {GradientWords} {gnorm:0.0#e+00} > tolerance {_options.GradientTolerance:0.0#e+00}. Bounds that keep x out of the region (MinimizeOptions.Bounds) let the method move along its edge"),
                    x, f, gnorm, iteration);
            }

            if (converged is not null && !confirmedByRestart && _s.Count > 0)
            {
                // Before reporting convergence, forget the curvature pairs and watch one more window from steepest
                // descent: a crawl caused by a model that fits badly (Meyer's function, whose Hessian's condition number
                // exceeds 10¹⁸, crawls at f ≈ 10⁵ under L-BFGS-B's compact form) speeds up again; a minimum does not.
                confirmedByRestart = true;
                Forget();
                monitor.Reopen(iteration, f);
                wallIterations = windowIterations = 0;
                continue;
            }

            if (converged is not null)
            {
                return Result(MinimizeStatus.FunctionTolerance, converged + string.Create(CultureInfo.InvariantCulture,
                    $" ({GradientWords} {gnorm:0.0#e+00})"), x, f, gnorm, iteration);
            }
        }

        MinimizeResult Result(MinimizeStatus status, string message, double[] point, double value, double norm, int iterations) =>
            new(method, (double[])point.Clone(), value, status, message, iterations, line.Evaluations, line.Evaluations, 0, norm, notes, clock.Elapsed);
    }

    private string GradientWords => _bounds is null ? "gradient norm" : "projected gradient norm";

    private double GradientNorm(double[] x, double[] g)
    {
        if (_bounds is not null)
        {
            return _bounds.ProjectedGradientNorm(x, g);
        }

        double norm = 0;
        foreach (double gi in g)
        {
            norm = Math.Max(norm, Math.Abs(gi));
        }

        return norm;
    }

    private void Remember(double[] s, double[] y, double sy, double yy)
    {
        if (_s.Count == _memory)
        {
            _s.RemoveAt(0);
            _y.RemoveAt(0);
        }

        _s.Add(s);
        _y.Add(y);
        _theta = yy / sy;
    }

    private void Forget()
    {
        _s.Clear();
        _y.Clear();
        _theta = 1;
    }

    private void Direction(double[] x, double[] g, double[] d)
    {
        if (_bounds is null)
        {
            TwoLoop(g, d);
        }
        else
        {
            CauchyAndSubspace(x, g, d);
        }
    }

    /// <summary>d = −H·g by the two-loop recursion, H₀ = I/θ.</summary>
    private void TwoLoop(double[] g, double[] d)
    {
        int p = _s.Count;
        var alpha = new double[p];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = -g[i];
        }

        for (int k = p - 1; k >= 0; k--)
        {
            double rho = 1 / Dot(_y[k], _s[k]);
            alpha[k] = rho * Dot(_s[k], d);
            Axpy(-alpha[k], _y[k], d);
        }

        for (int i = 0; i < d.Length; i++)
        {
            d[i] /= _theta;
        }

        for (int k = 0; k < p; k++)
        {
            double rho = 1 / Dot(_y[k], _s[k]);
            double beta = rho * Dot(_y[k], d);
            Axpy(alpha[k] - beta, _s[k], d);
        }
    }

    /// <summary>
    /// L-BFGS-B's direction: d = x̄ − x, where x̄ minimizes the quadratic model over the free variables of the generalized
    /// Cauchy point x^c (the first local minimizer of the model along the projected steepest-descent path), truncated to the box.
    /// </summary>
    private void CauchyAndSubspace(double[] x, double[] g, double[] d)
    {
        int n = _n, p = _s.Count, w2 = 2 * p;
        double theta = _theta;
        double[] lower = _bounds!.LowerArray, upper = _bounds.UpperArray;

        // W = [Y, θS] (row i is wᵢ) and M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹.
        var w = new double[n, w2];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < p; k++)
            {
                w[i, k] = _y[k][i];
                w[i, p + k] = theta * _s[k][i];
            }
        }

        var middle = MiddleMatrix(p, theta);
        if (middle is null)
        {
            // The pairs are nearly dependent in floating point: start again from the steepest-descent model.
            Forget();
            CauchyAndSubspace(x, g, d);
            return;
        }

        // Breakpoints tᵢ of the projected path x(t) = P(x − t·g).
        var t = new double[n];
        var dir = new double[n];
        var order = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (g[i] < 0 && upper[i] < double.PositiveInfinity)
            {
                t[i] = (x[i] - upper[i]) / g[i];
            }
            else if (g[i] > 0 && lower[i] > double.NegativeInfinity)
            {
                t[i] = (x[i] - lower[i]) / g[i];
            }
            else
            {
                t[i] = double.PositiveInfinity;
            }

            dir[i] = t[i] == 0 ? 0 : -g[i];
            if (t[i] > 0 && double.IsFinite(t[i]))
            {
                order.Add(i);
            }
        }

        order.Sort((a, b) => t[a].CompareTo(t[b]));
        var xcp = (double[])x.Clone();
        var fixedAtBound = new bool[n];
        var pv = new double[w2];   // Wᵀd
        var c = new double[w2];    // Wᵀ(x^c − x), accumulated
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < w2; k++)
            {
                pv[k] += w[i, k] * dir[i];
            }
        }

        double fp = -Dot(dir, dir);
        double fpp = (-theta * fp) - Quadratic(middle, pv, pv);
        double fppOriginal = fpp;
        double dtMin = fpp > 0 ? -fp / fpp : double.PositiveInfinity;
        double tOld = 0;
        int next = 0;
        double tNext = next < order.Count ? t[order[next]] : double.PositiveInfinity;
        double dt = tNext;
        while (dtMin >= dt && next < order.Count)
        {
            // Variable b reaches its bound: fix it and update the model's slope and curvature along the rest of the path.
            int b = order[next++];
            xcp[b] = dir[b] > 0 ? upper[b] : lower[b];
            fixedAtBound[b] = true;
            double zb = xcp[b] - x[b];
            double gb = g[b];
            for (int k = 0; k < w2; k++)
            {
                c[k] += dt * pv[k];
            }

            var wb = new double[w2];
            for (int k = 0; k < w2; k++)
            {
                wb[k] = w[b, k];
            }

            fp += (dt * fpp) + (gb * gb) + (theta * gb * zb) - (gb * Quadratic(middle, wb, c));
            fpp -= (theta * gb * gb) + (2 * gb * Quadratic(middle, wb, pv)) + (gb * gb * Quadratic(middle, wb, wb));
            fpp = Math.Max(fpp, Epsilon * fppOriginal);
            for (int k = 0; k < w2; k++)
            {
                pv[k] += gb * wb[k];
            }

            dir[b] = 0;
            dtMin = fpp > 0 ? -fp / fpp : double.PositiveInfinity;
            tOld = tNext;
            tNext = next < order.Count ? t[order[next]] : double.PositiveInfinity;
            dt = tNext - tOld;
        }

        if (!double.IsFinite(dtMin))
        {
            // No curvature along the rest of the path and no breakpoint left (cannot happen with B positive definite).
            dtMin = 0;
        }

        dtMin = Math.Max(dtMin, 0);
        tOld += dtMin;
        for (int i = 0; i < n; i++)
        {
            if (!fixedAtBound[i])
            {
                xcp[i] = Math.Clamp(x[i] + (tOld * dir[i]), lower[i], upper[i]);
            }
        }

        // Subspace minimization over the free variables of x^c: d^u = −B̂⁻¹r^c by Sherman–Morrison–Woodbury.
        var free = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (!fixedAtBound[i] && xcp[i] > lower[i] && xcp[i] < upper[i])
            {
                free.Add(i);
            }
        }

        Array.Copy(xcp, d, n);
        if (free.Count > 0)
        {
            // c = Wᵀ(x^c − x) directly, and r^c = Zᵀ(g + θ(x^c − x) − W·M·c).
            Array.Clear(c);
            for (int i = 0; i < n; i++)
            {
                double z = xcp[i] - x[i];
                for (int k = 0; k < w2; k++)
                {
                    c[k] += w[i, k] * z;
                }
            }

            var mc = Multiply(middle, c);
            var rc = new double[free.Count];
            for (int f = 0; f < free.Count; f++)
            {
                int i = free[f];
                double wmc = 0;
                for (int k = 0; k < w2; k++)
                {
                    wmc += w[i, k] * mc[k];
                }

                rc[f] = g[i] + (theta * (xcp[i] - x[i])) - wmc;
            }

            var du = new double[free.Count];
            for (int f = 0; f < free.Count; f++)
            {
                du[f] = -rc[f] / theta;
            }

            if (p > 0)
            {
                // v = M·WᵀZ·r^c;  N = I − (1/θ)·M·WᵀZ·ZᵀW;  d^u = −r^c/θ − ZᵀW·N⁻¹v/θ².
                var wzr = new double[w2];
                var a = new double[w2, w2];
                for (int f = 0; f < free.Count; f++)
                {
                    int i = free[f];
                    for (int k = 0; k < w2; k++)
                    {
                        wzr[k] += w[i, k] * rc[f];
                        for (int l = 0; l < w2; l++)
                        {
                            a[k, l] += w[i, k] * w[i, l];
                        }
                    }
                }

                var v = Multiply(middle, wzr);
                var nMatrix = new double[w2, w2];
                for (int k = 0; k < w2; k++)
                {
                    for (int l = 0; l < w2; l++)
                    {
                        double ma = 0;
                        for (int q = 0; q < w2; q++)
                        {
                            ma += middle[k, q] * a[q, l];
                        }

                        nMatrix[k, l] = (k == l ? 1 : 0) - (ma / theta);
                    }
                }

                if (DenseLinearAlgebra.Solve(nMatrix, v))
                {
                    for (int f = 0; f < free.Count; f++)
                    {
                        int i = free[f];
                        double wv = 0;
                        for (int k = 0; k < w2; k++)
                        {
                            wv += w[i, k] * v[k];
                        }

                        du[f] -= wv / (theta * theta);
                    }
                }
            }

            // Truncate to the box: the largest α ≤ 1 with l ≤ x^c + α·d^u ≤ u on the free variables.
            double alpha = 1;
            for (int f = 0; f < free.Count; f++)
            {
                int i = free[f];
                if (du[f] > 0)
                {
                    alpha = Math.Min(alpha, (upper[i] - xcp[i]) / du[f]);
                }
                else if (du[f] < 0)
                {
                    alpha = Math.Min(alpha, (lower[i] - xcp[i]) / du[f]);
                }
            }

            alpha = Math.Max(alpha, 0);
            for (int f = 0; f < free.Count; f++)
            {
                int i = free[f];
                d[i] = Math.Clamp(xcp[i] + (alpha * du[f]), lower[i], upper[i]);
            }
        }

        for (int i = 0; i < n; i++)
        {
            d[i] -= x[i];
        }
    }

    /// <summary>M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹, with D = diag(sᵢᵀyᵢ) and L the strictly lower part of SᵀY.</summary>
    private double[,]? MiddleMatrix(int p, double theta)
    {
        int w2 = 2 * p;
        var k = new double[w2, w2];
        for (int i = 0; i < p; i++)
        {
            k[i, i] = -Dot(_s[i], _y[i]);
            for (int j = 0; j < p; j++)
            {
                if (i > j)
                {
                    double l = Dot(_s[i], _y[j]);
                    k[p + i, j] = l;
                    k[j, p + i] = l;
                }

                k[p + i, p + j] = theta * Dot(_s[i], _s[j]);
            }
        }

        return p == 0 ? k : DenseLinearAlgebra.Inverse(k);
    }

    /// <summary>The largest t ≥ 0 with x + t·d in the box (10²⁰ without bounds).</summary>
    private double MaxStep(double[] x, double[] d)
    {
        double max = 1e20;
        if (_bounds is null)
        {
            return max;
        }

        for (int i = 0; i < x.Length; i++)
        {
            if (d[i] > 0 && _bounds.UpperArray[i] < double.PositiveInfinity)
            {
                max = Math.Min(max, (_bounds.UpperArray[i] - x[i]) / d[i]);
            }
            else if (d[i] < 0 && _bounds.LowerArray[i] > double.NegativeInfinity)
            {
                max = Math.Min(max, (_bounds.LowerArray[i] - x[i]) / d[i]);
            }
        }

        return Math.Max(max, 0);
    }

    private static double Quadratic(double[,] m, double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = 0; j < b.Length; j++)
            {
                sum += a[i] * m[i, j] * b[j];
            }
        }

        return sum;
    }

    private static double[] Multiply(double[,] m, double[] v)
    {
        var result = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            for (int j = 0; j < v.Length; j++)
            {
                result[i] += m[i, j] * v[j];
            }
        }

        return result;
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    internal static double Norm2(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    private static void Axpy(double alpha, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    internal static bool AllFinite(ReadOnlySpan<double> v)
    {
        foreach (double x in v)
        {
            if (!double.IsFinite(x))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Small dense solves for the 2m × 2m matrices of L-BFGS-B and the n × n Newton systems (Gaussian elimination with partial pivoting).</summary>
internal static class DenseLinearAlgebra
{
    /// <summary>Solves A·x = b in place (b becomes x; A is overwritten); false when A is singular to working precision.</summary>
    public static bool Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int i = k + 1; i < n; i++)
            {
                if (Math.Abs(a[i, k]) > Math.Abs(a[pivot, k]))
                {
                    pivot = i;
                }
            }

            if (a[pivot, k] == 0 || !double.IsFinite(a[pivot, k]))
            {
                return false;
            }

            if (pivot != k)
            {
                for (int j = 0; j < n; j++)
                {
                    (a[k, j], a[pivot, j]) = (a[pivot, j], a[k, j]);
                }

                (b[k], b[pivot]) = (b[pivot], b[k]);
            }

            for (int i = k + 1; i < n; i++)
            {
                double factor = a[i, k] / a[k, k];
                for (int j = k; j < n; j++)
                {
                    a[i, j] -= factor * a[k, j];
                }

                b[i] -= factor * b[k];
            }
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int j = i + 1; j < n; j++)
            {
                s -= a[i, j] * b[j];
            }

            b[i] = s / a[i, i];
        }

        return true;
    }

    /// <summary>A⁻¹ (A is not modified), the identity's columns solved one by one; null when A is singular.</summary>
    public static double[,]? Inverse(double[,] a)
    {
        int n = a.GetLength(0);
        var inverse = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            var copy = (double[,])a.Clone();
            var e = new double[n];
            e[j] = 1;
            if (!Solve(copy, e))
            {
                return null;
            }

            for (int i = 0; i < n; i++)
            {
                inverse[i, j] = e[i];
            }
        }

        return inverse;
    }
}
