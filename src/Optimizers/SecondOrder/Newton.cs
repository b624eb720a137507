using System.Diagnostics;

namespace SymbolicGrad.Optimizers;

/// <summary>Where <see cref="Newton"/> takes its Hessian from.</summary>
public enum NewtonHessian
{
    /// <summary>The exact Hessian (<see cref="DifferentiableFunction.Hessian"/>) when <see cref="DifferentiableFunction.HasHessian"/>, central differences otherwise.</summary>
    Auto,

    /// <summary>Always the exact Hessian; a function without one is refused.</summary>
    Exact,

    /// <summary>Always central differences of the gradient, even when an exact Hessian exists.</summary>
    FiniteDifferences,
}

/// <summary>
/// Newton's method with the exact Hessian when the function has one (<see cref="DifferentiableFunction.HasHessian"/>:
/// a method marked <c>[Differentiable(Hessian = true)]</c>) and central finite differences of the (exact) gradient
/// otherwise, made robust with Levenberg-style damping and a backtracking line search.
/// </summary>
/// <remarks>
/// <para>Each iteration:</para>
/// <code>
/// H = ∇²f(x) exactly, or H[:, i] = (∇f(x + hᵢeᵢ) − ∇f(x − hᵢeᵢ)) / (2hᵢ), hᵢ = ∛ε·max(1, |xᵢ|)·scale;   H ← (H + Hᵀ)/2
/// solve (H + λI)d = −∇f by Cholesky, with λ = 0 if H is positive definite, otherwise the smallest λ tried
///   (1e-8·max|Hᵢᵢ|, then ×10) for which it is
/// t = 1, halved until f(x + td) ≤ f(x) + 1e-4·t·∇fᵀd;   x ← x + td
/// </code>
/// <para>
/// With differences an iteration costs 2n gradient evaluations for the Hessian plus the line search's, so the method
/// suits small n; with the exact Hessian it costs one Hessian (n Hessian-vector products, or the generated dense
/// Hessian). Near a minimum with a positive-definite Hessian the full step is accepted and convergence is quadratic
/// (with differences, up to their error, about ε^(2/3) relative). <see cref="LastHessian"/> says which was used.
/// </para>
/// </remarks>
public sealed class Newton
{
    /// <summary>Creates the minimizer.</summary>
    /// <param name="maxIterations">Newton iterations allowed.</param>
    /// <param name="gradientTolerance">Stop when max|∇f| ≤ this.</param>
    /// <param name="hessianStepScale">Multiplies the finite-difference step of the Hessian.</param>
    /// <param name="hessian">Where the Hessian comes from (default: exact when the function has one).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (the exception names it).</exception>
    public Newton(int maxIterations = 100, double gradientTolerance = 1e-8, double hessianStepScale = 1.0, NewtonHessian hessian = NewtonHessian.Auto)
    {
        MaxIterations = Guard.AtLeast(maxIterations, 1, nameof(maxIterations));
        GradientTolerance = Guard.NonNegative(gradientTolerance, nameof(gradientTolerance));
        HessianStepScale = Guard.Positive(hessianStepScale, nameof(hessianStepScale));
        if (!Enum.IsDefined(hessian))
        {
            throw new ArgumentOutOfRangeException(nameof(hessian), hessian, "Unknown Hessian source.");
        }

        HessianSource = hessian;
    }

    /// <summary>Newton iterations allowed.</summary>
    public int MaxIterations { get; }

    /// <summary>Stop when max|∇f| ≤ this.</summary>
    public double GradientTolerance { get; }

    /// <summary>Multiplies the finite-difference step.</summary>
    public double HessianStepScale { get; }

    /// <summary>Where the Hessian comes from.</summary>
    public NewtonHessian HessianSource { get; }

    /// <summary>
    /// Which Hessian the last <c>Minimize</c> used, in words: "exact (the function's Hessian)" or "central differences of
    /// the gradient (2n gradients per iteration)"; null before the first run.
    /// </summary>
    public string? LastHessian { get; private set; }

    /// <summary>Exact Hessians the last <c>Minimize</c> computed (0 with differences).</summary>
    public long LastHessianEvaluations { get; private set; }

    /// <summary><c>Optimize.Minimize</c>'s callback, called after every iteration (false stops the run as <see cref="StopReason.Cancelled"/>).</summary>
    internal Func<MinimizeProgress, bool>? Callback { get; set; }

    /// <summary><c>Optimize.Minimize</c>'s evaluation limit, checked after every iteration.</summary>
    internal long EvaluationLimit { get; set; } = long.MaxValue;

    /// <summary>
    /// Minimizes <paramref name="function"/> from <paramref name="initialParameters"/>, with its exact Hessian when it has
    /// one (unless <see cref="HessianSource"/> says otherwise).
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="HessianSource"/> is <see cref="NewtonHessian.Exact"/> but the function has no Hessian.</exception>
    public OptimizationResult Minimize(DifferentiableFunction function, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (initialParameters.Length != function.Dimension)
        {
            throw new ArgumentException(
                $"{function.Name} takes {function.Dimension} parameters but initialParameters has length {initialParameters.Length}.",
                nameof(initialParameters));
        }

        if (HessianSource == NewtonHessian.Exact && !function.HasHessian)
        {
            throw new NotSupportedException(
                $"Newton was asked for the exact Hessian but {function.Name} has none: mark its method [Differentiable(Hessian = true)], or use NewtonHessian.Auto.");
        }

        bool exact = function.HasHessian && HessianSource != NewtonHessian.FiniteDifferences;
        return Run(function.AsValueAndGradient(), exact ? function.Hessian : null, initialParameters);
    }

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="initialParameters"/> (the Hessian from differences of the gradient).</summary>
    /// <exception cref="NotSupportedException"><see cref="HessianSource"/> is <see cref="NewtonHessian.Exact"/>: a bare delegate has no Hessian.</exception>
    public OptimizationResult Minimize(ValueAndGradientFunction function, ReadOnlySpan<double> initialParameters)
    {
        if (HessianSource == NewtonHessian.Exact)
        {
            throw new NotSupportedException("Newton was asked for the exact Hessian but a ValueAndGradientFunction has none: pass a DifferentiableFunction with HasHessian.");
        }

        return Run(function, null, initialParameters);
    }

    private OptimizationResult Run(ValueAndGradientFunction function, HessianFunction? exactHessian, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (initialParameters.IsEmpty || !Trainer.AllFinite(initialParameters))
        {
            throw new ArgumentException("initialParameters must be non-empty and finite.", nameof(initialParameters));
        }

        long entries = (long)initialParameters.Length * initialParameters.Length;
        if (entries > Array.MaxLength)
        {
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Newton's method stores the dense n × n Hessian, and n = {initialParameters.Length} gives {entries} entries, more than a .NET array can hold: use Newton-CG (MinimizeMethod.NewtonCg, Hessian-vector products only) or L-BFGS."), nameof(initialParameters));
        }

        LastHessian = exactHessian is null ? "central differences of the gradient (2n gradients per iteration)" : "exact (the function's Hessian)";
        LastHessianEvaluations = 0;
        var flatHessian = exactHessian is null ? null : new double[initialParameters.Length * initialParameters.Length];

        var clock = Stopwatch.StartNew();
        int n = initialParameters.Length;
        var x = initialParameters.ToArray();
        var g = new double[n];
        var trial = new double[n];
        var trialG = new double[n];
        var work = new double[n];
        var gPlus = new double[n];
        var gMinus = new double[n];
        var h = new double[n, n];
        var l = new double[n, n];
        var d = new double[n];
        long evaluations = 0;
        var history = new List<double>();

        double f = function(x, g);
        evaluations++;
        StopReason reason = StopReason.MaxSteps;
        int iteration = 0;
        if (!double.IsFinite(f) || !Trainer.AllFinite(g))
        {
            reason = StopReason.Diverged;
            goto Done;
        }

        for (iteration = 0; iteration < MaxIterations; iteration++)
        {
            history.Add(f);
            if (MaxAbs(g) <= GradientTolerance)
            {
                reason = StopReason.GradientTolerance;
                goto Done;
            }

            // The exact Hessian, or central differences of the gradient; symmetrized either way.
            if (exactHessian is not null)
            {
                exactHessian(x, flatHessian);
                LastHessianEvaluations++;
                for (int r = 0; r < n; r++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        h[r, i] = flatHessian![(r * n) + i];
                    }
                }
            }

            double cubeRootEpsilon = Math.Cbrt(Math.ScaleB(1.0, -52));
            for (int i = 0; exactHessian is null && i < n; i++)
            {
                double step = HessianStepScale * cubeRootEpsilon * Math.Max(1.0, Math.Abs(x[i]));
                Array.Copy(x, work, n);
                work[i] = x[i] + step;
                double up = work[i];
                function(work, gPlus);
                work[i] = x[i] - step;
                double down = work[i];
                function(work, gMinus);
                evaluations += 2;
                for (int r = 0; r < n; r++)
                {
                    h[r, i] = (gPlus[r] - gMinus[r]) / (up - down);
                }
            }

            double diagonal = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    double s = 0.5 * (h[i, j] + h[j, i]);
                    h[i, j] = h[j, i] = s;
                }

                diagonal = Math.Max(diagonal, Math.Abs(h[i, i]));
            }

            if (!double.IsFinite(diagonal))
            {
                reason = StopReason.Diverged;
                goto Done;
            }

            // Damping: the smallest λ in {0, 1e-8·max|Hᵢᵢ|·10^k} that makes H + λI positive definite.
            double lambda = 0;
            for (int attempt = 0; !Cholesky(h, lambda, l); attempt++)
            {
                lambda = lambda == 0 ? Math.Max(1e-8 * diagonal, 1e-12) : lambda * 10;
                if (attempt > 60)
                {
                    reason = StopReason.Diverged;
                    goto Done;
                }
            }

            for (int i = 0; i < n; i++)
            {
                d[i] = -g[i];
            }

            SolveCholesky(l, d);
            double slope = 0;
            for (int i = 0; i < n; i++)
            {
                slope += g[i] * d[i];
            }

            // Backtracking (Armijo) line search.
            double t = 1;
            double fTrial = double.NaN;
            bool accepted = false, anyFinite = false;
            for (int k = 0; k < 60; k++)
            {
                bool moved = false;
                for (int i = 0; i < n; i++)
                {
                    trial[i] = x[i] + t * d[i];
                    moved |= trial[i] != x[i];
                }

                if (!moved)
                {
                    // x + t·d == x: a step this short changes nothing, so f(trial) = f would pass the test without any
                    // decrease (it did, when the gradient did not match f).
                    break;
                }

                fTrial = function(trial, trialG);
                evaluations++;
                bool finite = double.IsFinite(fTrial) && Trainer.AllFinite(trialG);
                anyFinite |= finite;
                if (finite && fTrial <= f + 1e-4 * t * slope)
                {
                    accepted = true;
                    break;
                }

                t *= 0.5;
            }

            if (!accepted)
            {
                // No decrease along a descent direction down to the shortest step that moves x, with the gradient above
                // its tolerance: a failed line search (the gradient may not match f, or f's rounding hides the decrease),
                // not convergence (it was ChangeTolerance, Converged = true, at the start point of a wrong gradient;
                // red-team O), unless f was not finite at every trial point (then it is a wall, not a minimum).
                reason = anyFinite ? StopReason.LineSearchFailed : StopReason.Diverged;
                goto Done;
            }

            Array.Copy(trial, x, n);
            Array.Copy(trialG, g, n);
            f = fTrial;
            if (Callback is { } callback && !callback(new MinimizeProgress(iteration + 1, x, f, MaxAbs(g), evaluations)))
            {
                iteration++;
                history.Add(f);
                reason = StopReason.Cancelled;
                goto Done;
            }

            if (evaluations >= EvaluationLimit && MaxAbs(g) > GradientTolerance)
            {
                iteration++;
                history.Add(f);
                reason = StopReason.MaxEvaluations;
                goto Done;
            }
        }

        history.Add(f);
        reason = MaxAbs(g) <= GradientTolerance ? StopReason.GradientTolerance : StopReason.MaxSteps;

    Done:
        return new OptimizationResult
        {
            Parameters = x,
            Loss = f,
            LossHistory = history,
            StopReason = reason,
            Steps = iteration,
            GradientEvaluations = evaluations,
            WallTime = clock.Elapsed,
        };
    }

    private static bool Cholesky(double[,] a, double shift, double[,] l)
    {
        int n = a.GetLength(0);
        for (int j = 0; j < n; j++)
        {
            double sum = a[j, j] + shift;
            for (int k = 0; k < j; k++)
            {
                sum -= l[j, k] * l[j, k];
            }

            if (!(sum > 0))
            {
                return false;
            }

            l[j, j] = Math.Sqrt(sum);
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++)
                {
                    s -= l[i, k] * l[j, k];
                }

                l[i, j] = s / l[j, j];
            }
        }

        return true;
    }

    private static void SolveCholesky(double[,] l, double[] b)
    {
        int n = b.Length;
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++)
            {
                s -= l[i, k] * b[k];
            }

            b[i] = s / l[i, i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++)
            {
                s -= l[k, i] * b[k];
            }

            b[i] = s / l[i, i];
        }
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
