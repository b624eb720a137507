using System.Diagnostics;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// Newton's method with the Hessian taken as central finite differences of the (exact) gradient, made robust with
/// Levenberg-style damping and a backtracking line search.
/// </summary>
/// <remarks>
/// <para>Each iteration:</para>
/// <code>
/// H[:, i] = (∇f(x + hᵢeᵢ) − ∇f(x − hᵢeᵢ)) / (2hᵢ),   hᵢ = ∛ε·max(1, |xᵢ|)·scale;   H ← (H + Hᵀ)/2
/// solve (H + λI)d = −∇f by Cholesky, with λ = 0 if H is positive definite, otherwise the smallest λ tried
///   (1e-8·max|Hᵢᵢ|, then ×10) for which it is
/// t = 1, halved until f(x + td) ≤ f(x) + 1e-4·t·∇fᵀd;   x ← x + td
/// </code>
/// <para>
/// An iteration costs 2n gradient evaluations for the Hessian plus the line search's, so the method suits small n.
/// Near a minimum with a positive-definite Hessian the full step is accepted and convergence is quadratic (up to
/// the finite-difference error, about ε^(2/3) relative).
/// </para>
/// </remarks>
public sealed class Newton
{
    /// <summary>Creates the minimizer.</summary>
    /// <param name="maxIterations">Newton iterations allowed.</param>
    /// <param name="gradientTolerance">Stop when max|∇f| ≤ this.</param>
    /// <param name="hessianStepScale">Multiplies the finite-difference step of the Hessian.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (the exception names it).</exception>
    public Newton(int maxIterations = 100, double gradientTolerance = 1e-8, double hessianStepScale = 1.0)
    {
        MaxIterations = Guard.AtLeast(maxIterations, 1, nameof(maxIterations));
        GradientTolerance = Guard.NonNegative(gradientTolerance, nameof(gradientTolerance));
        HessianStepScale = Guard.Positive(hessianStepScale, nameof(hessianStepScale));
    }

    /// <summary>Newton iterations allowed.</summary>
    public int MaxIterations { get; }

    /// <summary>Stop when max|∇f| ≤ this.</summary>
    public double GradientTolerance { get; }

    /// <summary>Multiplies the finite-difference step.</summary>
    public double HessianStepScale { get; }

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="initialParameters"/>.</summary>
    public OptimizationResult Minimize(DifferentiableFunction function, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (initialParameters.Length != function.Dimension)
        {
            throw new ArgumentException(
                $"{function.Name} takes {function.Dimension} parameters but initialParameters has length {initialParameters.Length}.",
                nameof(initialParameters));
        }

        return Minimize(function.AsValueAndGradient(), initialParameters);
    }

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="initialParameters"/>.</summary>
    public OptimizationResult Minimize(ValueAndGradientFunction function, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (initialParameters.IsEmpty || !Trainer.AllFinite(initialParameters))
        {
            throw new ArgumentException("initialParameters must be non-empty and finite.", nameof(initialParameters));
        }

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

            // Hessian by central differences of the gradient, symmetrized.
            double cubeRootEpsilon = Math.Cbrt(Math.ScaleB(1.0, -52));
            for (int i = 0; i < n; i++)
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
            bool accepted = false;
            for (int k = 0; k < 60; k++)
            {
                for (int i = 0; i < n; i++)
                {
                    trial[i] = x[i] + t * d[i];
                }

                fTrial = function(trial, trialG);
                evaluations++;
                if (double.IsFinite(fTrial) && Trainer.AllFinite(trialG) && fTrial <= f + 1e-4 * t * slope)
                {
                    accepted = true;
                    break;
                }

                t *= 0.5;
            }

            if (!accepted)
            {
                // No decrease along a descent direction down to 2⁻⁶⁰: the iterate is as good as it gets numerically.
                reason = StopReason.ChangeTolerance;
                goto Done;
            }

            Array.Copy(trial, x, n);
            Array.Copy(trialG, g, n);
            f = fTrial;
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
