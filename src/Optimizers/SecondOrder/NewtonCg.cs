using System.Diagnostics;
using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// Truncated Newton (line-search Newton-CG, as SciPy's <c>newton-cg</c> and Nocedal &amp; Wright's Algorithm 7.1): each
/// iteration solves H·p = −∇f approximately by conjugate gradients on Hessian-vector products, stops CG early (forcing
/// term η = min(½, √‖∇f‖), so the steps become Newton steps near the solution), and takes a strong-Wolfe line search
/// along p. Never forms the Hessian: each CG iteration costs one Hessian-vector product, exact when
/// <see cref="DifferentiableFunction.HasHessian"/> and otherwise a forward difference of the gradient
/// (H·v ≈ (∇f(x + hv) − ∇f(x))/h, h = √ε·(1 + ‖x‖)/‖v‖, one gradient per product).
/// </summary>
/// <remarks>
/// Negative curvature: when CG meets a direction d with dᵀHd ≤ 0 it stops and returns what it has; if that happens on
/// its first iteration, the step is steepest descent scaled by ‖g‖²/|gᵀHg| (SciPy's choice). So the method also works
/// where the Hessian is indefinite, and converges to minima, not saddle points, from generic starts.
/// </remarks>
public sealed class NewtonCg
{
    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>Creates the minimizer.</summary>
    /// <param name="maxIterations">Newton iterations allowed.</param>
    /// <param name="gradientTolerance">Stop when max|∇f| ≤ this.</param>
    /// <param name="maxCgIterations">CG iterations per Newton iteration; default (null) 20n, as SciPy.</param>
    /// <param name="hessian">Where the products come from: exact when the function has a Hessian (<see cref="NewtonHessian.Auto"/>), or always differences.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (the exception names it).</exception>
    public NewtonCg(int maxIterations = 1000, double gradientTolerance = 1e-8, int? maxCgIterations = null, NewtonHessian hessian = NewtonHessian.Auto)
    {
        MaxIterations = Guard.AtLeast(maxIterations, 1, nameof(maxIterations));
        GradientTolerance = Guard.NonNegative(gradientTolerance, nameof(gradientTolerance));
        if (maxCgIterations is int cg)
        {
            Guard.AtLeast(cg, 1, nameof(maxCgIterations));
        }

        if (!Enum.IsDefined(hessian))
        {
            throw new ArgumentOutOfRangeException(nameof(hessian), hessian, "Unknown Hessian source.");
        }

        MaxCgIterations = maxCgIterations;
        HessianSource = hessian;
    }

    /// <summary>Newton iterations allowed.</summary>
    public int MaxIterations { get; }

    /// <summary>Stop when max|∇f| ≤ this.</summary>
    public double GradientTolerance { get; }

    /// <summary>CG iterations per Newton iteration (null: 20n).</summary>
    public int? MaxCgIterations { get; }

    /// <summary>Where the Hessian-vector products come from.</summary>
    public NewtonHessian HessianSource { get; }

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="initialParameters"/>.</summary>
    /// <exception cref="NotSupportedException"><see cref="HessianSource"/> is <see cref="NewtonHessian.Exact"/> but the function has no Hessian.</exception>
    public OptimizationResult Minimize(DifferentiableFunction function, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (initialParameters.Length != function.Dimension)
        {
            throw new ArgumentException(
                $"{function.Name} takes {function.Dimension} parameters but initialParameters has length {initialParameters.Length}.", nameof(initialParameters));
        }

        if (initialParameters.IsEmpty || !Trainer.AllFinite(initialParameters))
        {
            throw new ArgumentException("initialParameters must be non-empty and finite.", nameof(initialParameters));
        }

        var history = new List<double>();
        var options = new MinimizeOptions
        {
            GradientTolerance = GradientTolerance,
            FunctionTolerance = 0,
            MaxIterations = MaxIterations,
            MaxEvaluations = int.MaxValue,
            Callback = p =>
            {
                history.Add(p.Value);
                return true;
            },
        };
        var result = Solve(function, initialParameters.ToArray(), options, []);
        history.Insert(0, function.Value(initialParameters));
        return new OptimizationResult
        {
            Parameters = result.X,
            Loss = result.Value,
            LossHistory = history,
            StopReason = result.Status switch
            {
                MinimizeStatus.GradientTolerance => StopReason.GradientTolerance,
                MinimizeStatus.FunctionTolerance => StopReason.ChangeTolerance,
                MinimizeStatus.NotFinite => StopReason.Diverged,
                MinimizeStatus.MaxEvaluations => StopReason.MaxEvaluations,
                MinimizeStatus.LineSearchFailed => StopReason.LineSearchFailed,
                _ => StopReason.MaxSteps,
            },
            Steps = result.Iterations,
            GradientEvaluations = result.GradientEvaluations,
            WallTime = result.WallTime,
        };
    }

    /// <summary>The run behind <see cref="Minimize"/> and <c>Optimize.Minimize(…, Method = NewtonCg)</c>.</summary>
    internal MinimizeResult Solve(DifferentiableFunction function, double[] x, MinimizeOptions options, List<string> notes)
    {
        if (HessianSource == NewtonHessian.Exact && !function.HasHessian)
        {
            throw new NotSupportedException(
                $"Newton-CG was asked for exact Hessian-vector products but {function.Name} has none: mark its method [Differentiable(Hessian = true)], or use NewtonHessian.Auto.");
        }

        var clock = Stopwatch.StartNew();
        bool exact = function.HasHessian && HessianSource != NewtonHessian.FiniteDifferences;
        string method = exact
            ? "Newton-CG (exact Hessian-vector products, Moré–Thuente line search)"
            : "Newton-CG (Hessian-vector products by differences of the gradient, Moré–Thuente line search)";
        int n = function.Dimension;
        int maxCg = MaxCgIterations ?? (int)Math.Min(20L * n, int.MaxValue);
        var g = new double[n];
        var p = new double[n];
        var r = new double[n];
        var d = new double[n];
        var hd = new double[n];
        var shifted = new double[n];
        var gShifted = new double[n];
        var line = new LineObjective(function.AsValueAndGradient(), n);
        long products = 0;

        double f = function.ValueAndGradient(x, g);
        line.Evaluations = 1;
        if (!double.IsFinite(f) || !LimitedMemorySolver.AllFinite(g))
        {
            return Result(MinimizeStatus.NotFinite, string.Create(CultureInfo.InvariantCulture, $"f or its gradient is not finite at the starting point (f = {f})"), f, double.NaN, 0);
        }

        int iteration = 0;
        double gnorm = MaxAbs(g);
        var monitor = new FunctionToleranceMonitor(options.FunctionTolerance, 10);
        double initialGradientNorm = 1;
        while (true)
        {
            if (gnorm <= options.GradientTolerance)
            {
                return Result(MinimizeStatus.GradientTolerance, string.Create(CultureInfo.InvariantCulture,
                    $"gradient norm {gnorm:0.0#e+00} ≤ tolerance {options.GradientTolerance:0.0#e+00}"), f, gnorm, iteration);
            }

            if (iteration >= options.MaxIterations)
            {
                return Result(MinimizeStatus.MaxIterations, string.Create(CultureInfo.InvariantCulture,
                    $"reached the limit of {options.MaxIterations} iterations; gradient norm {gnorm:0.0#e+00} > tolerance {options.GradientTolerance:0.0#e+00}"), f, gnorm, iteration);
            }

            if (line.Evaluations >= options.MaxEvaluations)
            {
                return Result(MinimizeStatus.MaxEvaluations, string.Create(CultureInfo.InvariantCulture,
                    $"reached the limit of {options.MaxEvaluations} gradient evaluations; gradient norm {gnorm:0.0#e+00} > tolerance {options.GradientTolerance:0.0#e+00}"), f, gnorm, iteration);
            }

            // Conjugate gradients on H·p = −g, stopped at ‖H·p + g‖ ≤ η‖g‖ or at negative curvature. The forcing term
            // η = min(½, √(‖g‖/‖g₀‖)) is Nocedal & Wright's min(½, √‖g‖) made independent of the scale of f: with
            // ‖g‖ ≫ 1 (Meyer's function starts at 10⁶) theirs stays at ½ and CG never solves the Newton system.
            double g2 = LimitedMemorySolver.Norm2(g);
            initialGradientNorm = iteration == 0 ? g2 : initialGradientNorm;
            double tolerance = Math.Min(0.5, Math.Sqrt(g2 / initialGradientNorm)) * g2;
            Array.Clear(p);
            for (int i = 0; i < n; i++)
            {
                r[i] = g[i];
                d[i] = -g[i];
            }

            double rr = g2 * g2;
            for (int k = 0; k < maxCg; k++)
            {
                HessianTimes(x, g, d, hd, shifted, gShifted);
                products++;
                double curvature = LimitedMemorySolver.Dot(d, hd);
                if (!double.IsFinite(curvature))
                {
                    return Result(MinimizeStatus.NotFinite, "a Hessian-vector product is not finite at the current point", f, gnorm, iteration);
                }

                // Negative curvature, or none worth the name: dᵀHd ≤ ε‖d‖‖Hd‖ (the angle between d and Hd is 90° or more).
                if (curvature <= Epsilon * LimitedMemorySolver.Norm2(d) * LimitedMemorySolver.Norm2(hd))
                {
                    if (k == 0)
                    {
                        // Negative (or no) curvature along −g: steepest descent, scaled by ‖g‖²/|gᵀHg|.
                        double scale = curvature == 0 ? 1 : rr / Math.Abs(curvature);
                        for (int i = 0; i < n; i++)
                        {
                            p[i] = -scale * g[i];
                        }
                    }

                    break;
                }

                double alpha = rr / curvature;
                for (int i = 0; i < n; i++)
                {
                    p[i] += alpha * d[i];
                    r[i] += alpha * hd[i];
                }

                double rrNew = LimitedMemorySolver.Dot(r, r);
                if (Math.Sqrt(rrNew) <= tolerance)
                {
                    break;
                }

                double beta = rrNew / rr;
                rr = rrNew;
                for (int i = 0; i < n; i++)
                {
                    d[i] = -r[i] + (beta * d[i]);
                }
            }

            double slope = LimitedMemorySolver.Dot(g, p);
            if (!(slope < 0))
            {
                // Rounding: fall back to steepest descent.
                for (int i = 0; i < n; i++)
                {
                    p[i] = -g[i];
                }

                slope = -g2 * g2;
            }

            double step = 1;
            line.Reset(x, p);
            int budget = (int)Math.Min(20, options.MaxEvaluations - line.Evaluations);
            var outcome = MoreThuente.Search(line, f, slope, ref step, 1e20, Math.Max(budget, 1));
            double modelDecrease = -0.5 * slope / Math.Abs(f);
            if (outcome == LineSearchOutcome.NoDecrease)
            {
                line.Reset(x, p);
                if (MoreThuente.BacktrackToPrecision(line, f, 0.1, (int)Math.Min(60, options.MaxEvaluations - line.Evaluations)))
                {
                    outcome = LineSearchOutcome.SufficientDecrease;
                }
            }

            if (outcome == LineSearchOutcome.NoDecrease)
            {
                // Try steepest descent, down to steps that no longer change x, before giving up.
                for (int i = 0; i < n; i++)
                {
                    p[i] = -g[i];
                }

                line.Reset(x, p);
                if (MoreThuente.BacktrackToPrecision(line, f, 1 / g2, (int)Math.Min(60, options.MaxEvaluations - line.Evaluations)))
                {
                    outcome = LineSearchOutcome.SufficientDecrease;
                }
            }

            if (outcome == LineSearchOutcome.NoDecrease)
            {
                if (monitor.Verifying && modelDecrease <= LimitedMemorySolver.PrecisionModelDecrease)
                {
                    return Result(MinimizeStatus.FunctionTolerance, monitor.PrecisionLimit(iteration, f) + string.Create(CultureInfo.InvariantCulture,
                        $"; the Newton model predicted a relative decrease of only {modelDecrease:0.0#e+00} (gradient norm {gnorm:0.0#e+00})"), f, gnorm, iteration);
                }

                return Result(MinimizeStatus.LineSearchFailed, string.Create(CultureInfo.InvariantCulture,
                    $"no step along the Newton-CG direction or steepest descent decreases f = {f:G10}, down to steps that no longer change x, though the Newton model predicted a relative decrease of {modelDecrease:0.0#e+00}; gradient norm {gnorm:0.0#e+00} > tolerance {options.GradientTolerance:0.0#e+00}"),
                    f, gnorm, iteration);
            }

            double fOld = f;
            Array.Copy(line.BestX, x, n);
            Array.Copy(line.BestG, g, n);
            f = line.BestF;
            iteration++;
            gnorm = MaxAbs(g);
            if (options.Callback is { } callback && !callback(new MinimizeProgress(iteration, x, f, gnorm, line.Evaluations)))
            {
                return Result(MinimizeStatus.Stopped, "the callback asked to stop", f, gnorm, iteration);
            }

            if (gnorm > options.GradientTolerance && monitor.Update(iteration, fOld, f) is { } converged)
            {
                return Result(MinimizeStatus.FunctionTolerance, converged + string.Create(CultureInfo.InvariantCulture,
                    $" (gradient norm {gnorm:0.0#e+00})"), f, gnorm, iteration);
            }
        }

        void HessianTimes(double[] point, double[] gradient, double[] v, double[] result, double[] work, double[] gWork)
        {
            if (exact)
            {
                function.HessianVectorProduct(point, v, result);
                return;
            }

            double vNorm = LimitedMemorySolver.Norm2(v);
            double h = Math.Sqrt(Epsilon) * (1 + LimitedMemorySolver.Norm2(point)) / vNorm;
            for (int i = 0; i < point.Length; i++)
            {
                work[i] = point[i] + (h * v[i]);
            }

            function.ValueAndGradient(work, gWork);
            line.Evaluations++;
            for (int i = 0; i < point.Length; i++)
            {
                result[i] = (gWork[i] - gradient[i]) / h;
            }
        }

        MinimizeResult Result(MinimizeStatus status, string message, double value, double norm, int iterations) =>
            new(method, (double[])x.Clone(), value, status, message, iterations, line.Evaluations, line.Evaluations, products, norm, notes, clock.Elapsed);
    }

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        double m = 0;
        foreach (double x in v)
        {
            m = Math.Max(m, Math.Abs(x));
        }

        return m;
    }
}
