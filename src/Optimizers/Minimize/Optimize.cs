using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// One call that minimizes, for people who want the answer (SciPy's <c>scipy.optimize.minimize</c> for C#):
/// <c>var result = Losses.LossObjective().Minimize([0.0, 0.0]);</c> then read <see cref="MinimizeResult.Success"/>,
/// <see cref="MinimizeResult.Message"/> and <see cref="MinimizeResult.X"/>. The default is L-BFGS with a strong-Wolfe
/// line search (L-BFGS-B when bounds are given); Newton, Newton-CG and, for residuals, Levenberg–Marquardt are options.
/// See docs/minimize.md.
/// </summary>
public static class Optimize
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="x0"/> (which is not modified).</summary>
    /// <param name="function">The objective, for example a generated <c>NameObjective(...)</c>.</param>
    /// <param name="x0">The starting point; with bounds, a component outside them is moved onto the nearer bound (see <see cref="MinimizeResult.Notes"/>).</param>
    /// <param name="options">The method, bounds, tolerances, limits and callback; null for the defaults.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="x0"/> has the wrong length or holds NaN or ∞; the bounds have the wrong length; the method does
    /// not take bounds, or needs a <see cref="LeastSquaresFunction"/> (the message says which).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static MinimizeResult Minimize(this DifferentiableFunction function, ReadOnlySpan<double> x0, MinimizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        options ??= MinimizeOptions.Default;
        Validate(options);
        var x = StartingPoint(function.Name, function.Dimension, x0);
        var method = options.Method;
        var bounds = options.Bounds;
        if (bounds is not null && bounds.Dimension != function.Dimension)
        {
            throw new ArgumentException($"The bounds are for {bounds.Dimension} variables but {function.Name} has {function.Dimension}.", nameof(options));
        }

        switch (method)
        {
            case MinimizeMethod.Auto:
                method = bounds is null ? MinimizeMethod.Lbfgs : MinimizeMethod.LbfgsB;
                break;
            case MinimizeMethod.LevenbergMarquardt:
                throw new ArgumentException(
                    "Levenberg–Marquardt needs the residuals, not their sum of squares: pass a LeastSquaresFunction (a generated NameLeastSquares(...)) to Minimize.", nameof(options));
            case MinimizeMethod.Lbfgs or MinimizeMethod.Newton or MinimizeMethod.NewtonCg when bounds is not null:
                throw new ArgumentException($"{method} does not take bounds: use MinimizeMethod.LbfgsB (or Auto) for box constraints.", nameof(options));
        }

        var notes = new List<string>();
        if (method == MinimizeMethod.LbfgsB)
        {
            bounds ??= Bounds.Uniform(function.Dimension, double.NegativeInfinity, double.PositiveInfinity);
            ProjectStart(x, bounds, notes);
        }

        return Unbounded(method switch
        {
            MinimizeMethod.Lbfgs => new LimitedMemorySolver(function, options, null).Solve(x, notes),
            MinimizeMethod.LbfgsB => new LimitedMemorySolver(function, options, bounds).Solve(x, notes),
            MinimizeMethod.NewtonCg => new NewtonCg(options.MaxIterations, options.GradientTolerance).Solve(function, x, options, notes),
            _ => RunNewton(function, x, options, notes),
        });
    }

    /// <summary>
    /// A run that stopped because f reached the end of the double range (|f| ≥ 1e300: f = a² − b² walked down its
    /// saddle to −1.8e308, where no step decreases it in floating point) did not converge: f is unbounded below along
    /// its path. Such a stop is <see cref="MinimizeStatus.NotFinite"/>, not the FunctionTolerance success, or the
    /// LineSearchFailed about precision, that the tests saw there. A gradient-norm stop (a stationary point) stands.
    /// </summary>
    private static MinimizeResult Unbounded(MinimizeResult r)
    {
        if (Math.Abs(r.Value) < 1e300 || r.Status is MinimizeStatus.GradientTolerance or MinimizeStatus.NotFinite or MinimizeStatus.Stopped
            or MinimizeStatus.MaxIterations or MinimizeStatus.MaxEvaluations)
        {
            return r;
        }

        string message = string.Create(CultureInfo.InvariantCulture,
            $"f = {r.Value:0.0#e+00} reached the end of the double range (|f| ≥ 1e300) and no step can decrease it further: f is probably unbounded below along this path, not at a minimum (the run ended with: {r.Message})");
        return new MinimizeResult(r.Method, r.X.ToArray(), r.Value, MinimizeStatus.NotFinite, message, r.Iterations, r.FunctionEvaluations,
            r.GradientEvaluations, r.HessianEvaluations, r.GradientNorm, r.Notes, r.WallTime);
    }

    /// <summary>
    /// Minimizes the cost ½‖r(x)‖² of <paramref name="function"/> from <paramref name="x0"/>: Levenberg–Marquardt by
    /// default (with <see cref="MinimizeOptions.LevenbergMarquardt"/>'s options), or any other method on
    /// <see cref="LeastSquaresFunction.ToObjective"/>. <see cref="MinimizeResult.Value"/> is the cost ½‖r‖².
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x0"/> has the wrong length or is not finite, or Levenberg–Marquardt was given bounds.</exception>
    public static MinimizeResult Minimize(this LeastSquaresFunction function, ReadOnlySpan<double> x0, MinimizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        options ??= MinimizeOptions.Default;
        if (options.Method is not (MinimizeMethod.Auto or MinimizeMethod.LevenbergMarquardt) ||
            (options.Method == MinimizeMethod.Auto && options.Bounds is not null))
        {
            return function.ToObjective().Minimize(x0, options);
        }

        Validate(options);
        if (options.Bounds is not null)
        {
            throw new ArgumentException("Levenberg–Marquardt does not take bounds: use MinimizeMethod.LbfgsB (or Auto) for box constraints.", nameof(options));
        }

        var x = StartingPoint(function.Name, function.Dimension, x0);
        var lmOptions = options.LevenbergMarquardt ?? LevenbergMarquardtOptions.Default;

        // MaxEvaluations and MaxIterations cap Levenberg–Marquardt too (its tolerances are its own options'): the
        // evaluations through its maxfev, the iterations through its callback.
        int n = function.Dimension;
        lmOptions = lmOptions with { MaxEvaluations = (int)Math.Min(lmOptions.MaxEvaluations ?? 100L * (n + 1), options.MaxEvaluations) };
        var userCallback = options.Callback;
        var lmCallback = lmOptions.Callback;
        bool iterationLimit = false;
        lmOptions = lmOptions with
        {
            Callback = p =>
            {
                if ((lmCallback is not null && !lmCallback(p)) || (userCallback is not null && !userCallback(new MinimizeProgress(p.Iteration, p.X, p.Cost, double.NaN, p.Evaluations))))
                {
                    return false;
                }

                iterationLimit = p.Iteration >= options.MaxIterations;
                return !iterationLimit;
            },
        };

        var result = new LevenbergMarquardt(lmOptions).Minimize(function, x);

        // GradientNorm is max|Jᵀr| at X, as for the other methods (one more Jacobian): MINPACK's cosine is taken at the
        // last Jacobian, which may be one step behind X (0.98 at a point where Jᵀr = 0; red-team N). The cosine stays in
        // the message and in LeastSquaresResult.Optimality. That Jacobian is not counted: the counts are the algorithm's, as MINPACK reports them.
        double gradientNorm = LeastSquaresGradientNorm(function, result.X);
        if (iterationLimit && result.Status == LeastSquaresStatus.Stopped)
        {
            return new MinimizeResult(
                "Levenberg–Marquardt (MINPACK lmder)", result.X, result.Cost, MinimizeStatus.MaxIterations,
                string.Create(CultureInfo.InvariantCulture, $"reached the limit of {options.MaxIterations} iterations"), result.Iterations, result.Evaluations,
                result.JacobianEvaluations, 0, gradientNorm, [], result.WallTime, leastSquares: true);
        }

        var status = result.Status switch
        {
            LeastSquaresStatus.FunctionTolerance or LeastSquaresStatus.FunctionAndStepTolerance => MinimizeStatus.FunctionTolerance,
            LeastSquaresStatus.StepTolerance => MinimizeStatus.StepTolerance,
            LeastSquaresStatus.GradientTolerance => MinimizeStatus.GradientTolerance,
            LeastSquaresStatus.MaxEvaluations => MinimizeStatus.MaxEvaluations,
            LeastSquaresStatus.Stopped => MinimizeStatus.Stopped,
            LeastSquaresStatus.NotFinite => MinimizeStatus.NotFinite,
            LeastSquaresStatus.NoProgress => MinimizeStatus.LineSearchFailed,
            _ => MinimizeStatus.PrecisionLimit,
        };
        return new MinimizeResult(
            "Levenberg–Marquardt (MINPACK lmder)", result.X, result.Cost, status, result.Message, result.Iterations, result.Evaluations,
            result.JacobianEvaluations, 0, gradientNorm, [], result.WallTime, leastSquares: true);
    }

    /// <summary>max|Jᵀr| at <paramref name="x"/>: the gradient of ½‖r‖²; NaN where r or J is not finite.</summary>
    private static double LeastSquaresGradientNorm(LeastSquaresFunction function, double[] x)
    {
        int m = function.ResidualCount, n = function.Dimension;
        var r = new double[m];
        var j = new double[(long)m * n <= Array.MaxLength ? m * n : 0];
        if (j.Length != m * n)
        {
            return double.NaN;
        }

        function.Jacobian(x, r, j);
        double largest = 0;
        for (int c = 0; c < n; c++)
        {
            double sum = 0;
            for (int i = 0; i < m; i++)
            {
                sum += j[(i * n) + c] * r[i];
            }

            if (!double.IsFinite(sum))
            {
                return double.NaN;
            }

            largest = Math.Max(largest, Math.Abs(sum));
        }

        return largest;
    }

    private static MinimizeResult RunNewton(DifferentiableFunction function, double[] x, MinimizeOptions options, List<string> notes)
    {
        // The confirmed ftol test runs in the callback: Newton itself stops only on the gradient.
        var monitor = new FunctionToleranceMonitor(options.FunctionTolerance, 10);
        double previous = double.NaN;
        string? converged = null;
        bool userStopped = false;
        var newton = new Newton(options.MaxIterations, options.GradientTolerance)
        {
            Callback = p =>
            {
                if (options.Callback is { } callback && !callback(p))
                {
                    userStopped = true;
                    return false;
                }

                if (p.GradientNorm > options.GradientTolerance && !double.IsNaN(previous))
                {
                    converged = monitor.Update(p.Iteration, previous, p.Value);
                }

                previous = p.Value;
                return converged is null;
            },
            EvaluationLimit = options.MaxEvaluations,
        };
        var run = newton.Minimize(function, x);
        double gnorm = GradientMaxNorm(function, run.Parameters); // one more evaluation, counted below
        var inv = CultureInfo.InvariantCulture;
        (MinimizeStatus status, string message) = run.StopReason switch
        {
            StopReason.Cancelled when !userStopped && converged is not null =>
                (MinimizeStatus.FunctionTolerance, converged + string.Create(inv, $" (gradient norm {gnorm:0.0#e+00})")),
            StopReason.LineSearchFailed when monitor.Verifying =>
                (MinimizeStatus.FunctionTolerance, monitor.PrecisionLimit((int)run.Steps, run.Loss) + string.Create(inv, $" (gradient norm {gnorm:0.0#e+00})")),
            StopReason.GradientTolerance => (MinimizeStatus.GradientTolerance, string.Create(inv, $"gradient norm {gnorm:0.0#e+00} ≤ tolerance {options.GradientTolerance:0.0#e+00}")),
            StopReason.LineSearchFailed => (MinimizeStatus.LineSearchFailed, string.Create(inv,
                $"no decrease of f = {run.Loss:G10} along the damped Newton direction down to step 2⁻⁶⁰; gradient norm {gnorm:0.0#e+00} > tolerance {options.GradientTolerance:0.0#e+00}")),
            StopReason.Diverged => (MinimizeStatus.NotFinite, "f, its gradient or its Hessian is not finite at the current point, or f is not finite at every trial point along the Newton direction"),
            StopReason.Cancelled => (MinimizeStatus.Stopped, "the callback asked to stop"),
            StopReason.MaxEvaluations => (MinimizeStatus.MaxEvaluations, string.Create(inv,
                $"reached the limit of {options.MaxEvaluations} evaluations ({run.GradientEvaluations + 1} made: the limit is checked once per iteration, and an iteration's line search may take several); gradient norm {gnorm:0.0#e+00} > tolerance {options.GradientTolerance:0.0#e+00}")),
            _ => (MinimizeStatus.MaxIterations, string.Create(inv,
                $"reached the limit of {options.MaxIterations} iterations; gradient norm {gnorm:0.0#e+00} > tolerance {options.GradientTolerance:0.0#e+00}")),
        };
        return new MinimizeResult(
            newton.LastHessianEvaluations > 0 || newton.LastHessian!.StartsWith("exact", StringComparison.Ordinal)
                ? "Newton (exact Hessian, Levenberg damping, Armijo backtracking)"
                : "Newton (Hessian from central differences of the gradient, Levenberg damping, Armijo backtracking)", run.Parameters, run.Loss, status, message, (int)run.Steps,
            run.GradientEvaluations + 1, run.GradientEvaluations + 1, newton.LastHessianEvaluations, gnorm, notes, run.WallTime);
    }

    private static double GradientMaxNorm(DifferentiableFunction function, double[] x)
    {
        var g = new double[x.Length];
        function.ValueAndGradient(x, g);
        return g.Max(Math.Abs);
    }

    private static void Validate(MinimizeOptions options)
    {
        Guard.NonNegative(options.GradientTolerance, "options.GradientTolerance");
        Guard.NonNegative(options.FunctionTolerance, "options.FunctionTolerance");
        Guard.AtLeast(options.MaxIterations, 1, "options.MaxIterations");
        Guard.AtLeast(options.MaxEvaluations, 1, "options.MaxEvaluations");
        Guard.AtLeast(options.HistorySize, 1, "options.HistorySize");
        if (!Enum.IsDefined(options.Method))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown method.");
        }
    }

    private static double[] StartingPoint(string name, int dimension, ReadOnlySpan<double> x0)
    {
        if (x0.Length != dimension)
        {
            throw new ArgumentException($"{name} takes {dimension} parameters but x0 has length {x0.Length}.", nameof(x0));
        }

        for (int i = 0; i < x0.Length; i++)
        {
            if (!double.IsFinite(x0[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"x0[{i}] is {x0[i]}: the starting point must be finite."), nameof(x0));
            }
        }

        return x0.ToArray();
    }

    private static void ProjectStart(double[] x, Bounds bounds, List<string> notes)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double projected = Math.Clamp(x[i], bounds.LowerArray[i], bounds.UpperArray[i]);
            if (projected != x[i])
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"x0[{i}] = {x[i]:G10} was outside [{bounds.LowerArray[i]:G10}, {bounds.UpperArray[i]:G10}] and was moved to {projected:G10}"));
                x[i] = projected;
            }
        }
    }
}
