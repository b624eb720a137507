using System.Diagnostics;
using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// Levenberg–Marquardt for nonlinear least squares, minimize ½‖r(x)‖², after MINPACK's <c>lmder</c> (Moré, "The
/// Levenberg–Marquardt algorithm: implementation and theory", 1978): a trust-region method whose step solves
/// min ‖Jp + r‖ subject to ‖Dp‖ ≤ Δ through a QR factorization of J with column pivoting, the Levenberg parameter found
/// by Moré's safeguarded Newton iteration (<c>lmpar</c>) and each trial system solved by Givens rotations (<c>qrsolv</c>).
/// </summary>
/// <remarks>
/// <para>
/// Written from the algorithm as the paper and MINPACK's documentation describe it, with the same tests and constants
/// (the step bound update at ratios ¼ and ¾, acceptance at ratio 10⁻⁴, at most 10 <c>lmpar</c> iterations, the scaling
/// D from the Jacobian's column norms), so that its evaluation counts can be compared with <c>lmder</c>'s one for one:
/// see docs/least-squares.md for the comparison on the Moré–Garbow–Hillstrom problems.
/// </para>
/// <para>
/// Differences from <c>lmder</c>: problems with fewer residuals than parameters (m &lt; n) are accepted and padded
/// with zero residuals (MINPACK refuses them); a trial point whose residuals are not finite counts as a failed step
/// (the trust region shrinks) instead of propagating NaN; a callback can stop the run after each accepted step.
/// </para>
/// </remarks>
public sealed class LevenbergMarquardt
{
    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>
    /// √ε: a cosine between r and J's columns above this at the start, where not one step was accepted, is not a minimum
    /// (at one the cosine is of the order of ε times J's condition number).
    /// </summary>
    private const double NoProgressCosine = 1.4901161193847656e-8;
    private const double Dwarf = 2.2250738585072014e-308;

    /// <summary>Creates the solver.</summary>
    /// <param name="options">The options (MINPACK's ftol, xtol, gtol, maxfev, factor, mode and diag); null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public LevenbergMarquardt(LevenbergMarquardtOptions? options = null)
    {
        options ??= LevenbergMarquardtOptions.Default;
        Guard.NonNegative(options.FunctionTolerance, "options.FunctionTolerance");
        Guard.NonNegative(options.StepTolerance, "options.StepTolerance");
        Guard.NonNegative(options.GradientTolerance, "options.GradientTolerance");
        Guard.Positive(options.StepBound, "options.StepBound");
        if (options.MaxEvaluations is int maxEvaluations)
        {
            Guard.AtLeast(maxEvaluations, 1, "options.MaxEvaluations");
        }

        if (!Enum.IsDefined(options.Scaling))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Scaling, "Unknown scaling mode.");
        }

        if (options.Scaling != LevenbergMarquardtScaling.Fixed && options.Diagonal is not null)
        {
            // MINPACK's mode 1 computes D itself: a diag given with it was ignored without a word.
            throw new ArgumentException(
                "options.Diagonal is set but options.Scaling is Jacobian, which computes the scaling from the Jacobian and would ignore it: " +
                "set Scaling = LevenbergMarquardtScaling.Fixed to use Diagonal, or leave Diagonal null.", nameof(options));
        }

        if (options.Scaling == LevenbergMarquardtScaling.Fixed)
        {
            if (options.Diagonal is null)
            {
                throw new ArgumentException("Scaling is Fixed but options.Diagonal is null: give one positive multiplier per parameter.", nameof(options));
            }

            for (int j = 0; j < options.Diagonal.Count; j++)
            {
                if (!(options.Diagonal[j] > 0) || double.IsInfinity(options.Diagonal[j]))
                {
                    throw new ArgumentOutOfRangeException(nameof(options), options.Diagonal[j], $"options.Diagonal[{j}] must be a finite number > 0.");
                }
            }
        }

        Options = options;
    }

    /// <summary>The options.</summary>
    public LevenbergMarquardtOptions Options { get; }

    /// <summary>Minimizes ½‖r(x)‖² from <paramref name="initialParameters"/> (which is not modified).</summary>
    /// <exception cref="ArgumentException">The starting point has the wrong length or is not finite, or the fixed scaling has the wrong length.</exception>
    public LeastSquaresResult Minimize(LeastSquaresFunction function, ReadOnlySpan<double> initialParameters)
    {
        ArgumentNullException.ThrowIfNull(function);
        int n = function.Dimension;
        int m = function.ResidualCount;
        if (initialParameters.Length != n)
        {
            throw new ArgumentException($"{function.Name} takes {n} parameters but the starting point has length {initialParameters.Length}.", nameof(initialParameters));
        }

        for (int j = 0; j < n; j++)
        {
            if (!double.IsFinite(initialParameters[j]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The starting point's component {j} is {initialParameters[j]}: it must be finite."), nameof(initialParameters));
            }
        }

        // The dense Jacobian is max(m, n) × n doubles in one array.
        if ((long)Math.Max(m, n) * n > Array.MaxLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{function.Name} has {m} residuals and {n} parameters: its dense Jacobian ({(long)Math.Max(m, n) * n} entries) is larger than an array can be."),
                nameof(function));
        }

        if (Options.Scaling == LevenbergMarquardtScaling.Fixed && Options.Diagonal!.Count != n)
        {
            throw new ArgumentException($"options.Diagonal has {Options.Diagonal.Count} entries but {function.Name} has {n} parameters.", nameof(initialParameters));
        }

        return new Run(function, Options, m, n).Solve(initialParameters);
    }

    /// <summary>One run: the work arrays of lmder. The Jacobian is held column-major with leading dimension mm = max(m, n).</summary>
    private sealed class Run
    {
        private readonly LeastSquaresFunction _function;
        private readonly LevenbergMarquardtOptions _options;
        private readonly int _m;
        private readonly int _n;
        private readonly int _mm;
        private readonly double[] _residualBuffer;
        private readonly double[] _jacobianBuffer;
        private int _evaluations;

        public Run(LeastSquaresFunction function, LevenbergMarquardtOptions options, int m, int n)
        {
            _function = function;
            _options = options;
            _m = m;
            _n = n;
            _mm = Math.Max(m, n);
            _residualBuffer = new double[m];
            _jacobianBuffer = new double[m * n];
        }

        public LeastSquaresResult Solve(ReadOnlySpan<double> initialParameters)
        {
            var clock = Stopwatch.StartNew();
            int n = _n, mm = _mm;
            int maxEvaluations = _options.MaxEvaluations ?? (100 * (n + 1));
            double ftol = _options.FunctionTolerance, xtol = _options.StepTolerance, gtol = _options.GradientTolerance;
            bool jacobianScaling = _options.Scaling == LevenbergMarquardtScaling.Jacobian;

            var x = initialParameters.ToArray();
            var fvec = new double[mm];
            var a = new double[mm * n];
            var diag = new double[n];
            var qtf = new double[n];
            var ipvt = new int[n];
            var rdiag = new double[n];
            var acnorm = new double[n];
            var step = new double[n];
            var trial = new double[n];
            var sdiag = new double[n];
            var work1 = new double[n];
            var work2 = new double[n];
            var work3 = new double[n];
            var trialResiduals = new double[mm];
            var qtfWork = new double[mm];

            if (!jacobianScaling)
            {
                for (int j = 0; j < n; j++)
                {
                    diag[j] = _options.Diagonal![j];
                }
            }

            int jacobianEvaluations = 0, iterations = 0, iter = 1;
            double fnorm = Evaluate(x, fvec);
            double par = 0, delta = 0, xnorm = 0, gnorm = 0;
            if (!double.IsFinite(fnorm))
            {
                return Finish(x, fvec, LeastSquaresStatus.NotFinite, "the residuals at the starting point are not finite", jacobianEvaluations, iterations, double.NaN, clock);
            }

            while (true)
            {
                // The Jacobian at x, column-major, rows m..mm−1 zero.
                _function.Jacobian(x, _residualBuffer, _jacobianBuffer);
                jacobianEvaluations++;
                Array.Clear(a);
                for (int i = 0; i < _m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double v = _jacobianBuffer[(i * n) + j];
                        if (!double.IsFinite(v))
                        {
                            return Finish(x, fvec, LeastSquaresStatus.NotFinite,
                                string.Create(CultureInfo.InvariantCulture, $"the Jacobian entry ∂r[{i}]/∂{_function.ParameterNames[j]} is {v} at the current point"),
                                jacobianEvaluations, iterations, gnorm, clock);
                        }

                        a[(j * mm) + i] = v;
                    }
                }

                QrFactor(a, mm, n, ipvt, rdiag, acnorm, work1);

                if (iter == 1)
                {
                    if (jacobianScaling)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            diag[j] = acnorm[j] == 0 ? 1 : acnorm[j];
                        }
                    }

                    xnorm = ScaledNorm(diag, x);
                    delta = _options.StepBound * xnorm;
                    if (delta == 0)
                    {
                        delta = _options.StepBound;
                    }
                }

                // qtf = the first n components of Qᵀr; the diagonal of a becomes R's.
                Array.Copy(fvec, qtfWork, mm);
                for (int j = 0; j < n; j++)
                {
                    double ajj = a[(j * mm) + j];
                    if (ajj != 0)
                    {
                        double sum = 0;
                        for (int i = j; i < mm; i++)
                        {
                            sum += a[(j * mm) + i] * qtfWork[i];
                        }

                        double temp = -sum / ajj;
                        for (int i = j; i < mm; i++)
                        {
                            qtfWork[i] += a[(j * mm) + i] * temp;
                        }
                    }

                    a[(j * mm) + j] = rdiag[j];
                    qtf[j] = qtfWork[j];
                }

                // gnorm: the largest cosine between r and a column of J.
                gnorm = 0;
                if (fnorm != 0)
                {
                    for (int j = 0; j < n; j++)
                    {
                        int l = ipvt[j];
                        if (acnorm[l] != 0)
                        {
                            double sum = 0;
                            for (int i = 0; i <= j; i++)
                            {
                                sum += a[(j * mm) + i] * (qtf[i] / fnorm);
                            }

                            gnorm = Math.Max(gnorm, Math.Abs(sum / acnorm[l]));
                        }
                    }
                }

                if (gnorm <= gtol)
                {
                    string why = fnorm == 0
                        ? "the residuals are exactly zero"
                        : string.Create(CultureInfo.InvariantCulture, $"r is orthogonal to the columns of J: the largest cosine {gnorm:0.0e+00} ≤ gtol {gtol:0.0e+00}");
                    return Finish(x, fvec, LeastSquaresStatus.GradientTolerance, why, jacobianEvaluations, iterations, gnorm, clock);
                }

                if (jacobianScaling)
                {
                    for (int j = 0; j < n; j++)
                    {
                        diag[j] = Math.Max(diag[j], acnorm[j]);
                    }
                }

                double ratio;
                do
                {
                    par = LevenbergParameter(a, mm, n, ipvt, diag, qtf, delta, par, step, sdiag, work1, work2, work3);
                    for (int j = 0; j < n; j++)
                    {
                        step[j] = -step[j];
                        trial[j] = x[j] + step[j];
                    }

                    double pnorm = ScaledNorm(diag, step);
                    if (iter == 1)
                    {
                        delta = Math.Min(delta, pnorm);
                    }

                    double fnorm1 = Evaluate(trial, trialResiduals);
                    bool trialNotFinite = !double.IsFinite(fnorm1);
                    if (trialNotFinite)
                    {
                        fnorm1 = double.PositiveInfinity;
                    }

                    double actred = -1;
                    if (0.1 * fnorm1 < fnorm)
                    {
                        actred = 1 - ((fnorm1 / fnorm) * (fnorm1 / fnorm));
                    }

                    // The predicted reduction ‖R Pᵀ p‖² + 2λ‖Dp‖² (scaled by ‖r‖²) and the directional derivative.
                    Array.Clear(work3);
                    for (int j = 0; j < n; j++)
                    {
                        double temp = step[ipvt[j]];
                        for (int i = 0; i <= j; i++)
                        {
                            work3[i] += a[(j * mm) + i] * temp;
                        }
                    }

                    double temp1 = Norm(work3) / fnorm;
                    double temp2 = Math.Sqrt(par) * pnorm / fnorm;
                    double prered = (temp1 * temp1) + (temp2 * temp2 / 0.5);
                    double dirder = -((temp1 * temp1) + (temp2 * temp2));
                    ratio = prered != 0 ? actred / prered : 0;

                    // Update the step bound.
                    if (ratio <= 0.25)
                    {
                        double temp = actred >= 0 ? 0.5 : 0.5 * dirder / (dirder + (0.5 * actred));
                        if (0.1 * fnorm1 >= fnorm || temp < 0.1)
                        {
                            temp = 0.1;
                        }

                        delta = temp * Math.Min(delta, pnorm / 0.1);
                        par /= temp;
                    }
                    else if (par == 0 || ratio >= 0.75)
                    {
                        delta = pnorm / 0.5;
                        par *= 0.5;
                    }

                    if (ratio >= 1e-4)
                    {
                        Array.Copy(trial, x, n);
                        Array.Copy(trialResiduals, fvec, mm);
                        xnorm = ScaledNorm(diag, x);
                        fnorm = fnorm1;
                        iter++;
                        iterations++;
                        if (_options.Callback is { } callback &&
                            !callback(new LeastSquaresProgress(iterations, x, 0.5 * fnorm * fnorm, _evaluations, par, delta)))
                        {
                            return Finish(x, fvec, LeastSquaresStatus.Stopped, "the callback asked to stop", jacobianEvaluations, iterations, gnorm, clock);
                        }
                    }

                    // Convergence.
                    bool fConverged = Math.Abs(actred) <= ftol && prered <= ftol && 0.5 * ratio <= 1;
                    bool xConverged = delta <= xtol * xnorm;
                    if (xConverged && trialNotFinite)
                    {
                        // The trust region shrank to xtol because the residuals were NaN or infinite at the trial points:
                        // x stopped against a wall where they are not finite, not at a minimum.
                        return Finish(x, fvec, LeastSquaresStatus.NotFinite,
                            string.Create(CultureInfo.InvariantCulture,
                                $"the residuals are not finite at the trial points around x: the trust region shrank to {delta:0.0e+00} (xtol·‖Dx‖) against them"),
                            jacobianEvaluations, iterations, gnorm, clock);
                    }

                    if (xConverged && !fConverged && iterations == 0 && gnorm > Math.Max(gtol, NoProgressCosine))
                    {
                        // The trust region shrank to xtol around the start without one accepted step while r was still far
                        // from orthogonal to J's columns: not a minimum (MINPACK says info = 2 here). A wrong Jacobian does
                        // this, and so does a start from which the linear model never predicts a real reduction.
                        return Finish(x, fvec, LeastSquaresStatus.NoProgress,
                            string.Create(CultureInfo.InvariantCulture,
                                $"no step from the starting point reduced the sum of squares: the trust region shrank to {delta:0.0e+00} (xtol·‖Dx‖) while the largest cosine between r and the columns of J is {gnorm:0.0e+00}, so x is not a minimum; check the Jacobian (GradientCheck.CheckJacobian) or start elsewhere"),
                            jacobianEvaluations, iterations, gnorm, clock);
                    }

                    if (fConverged || xConverged)
                    {
                        var status = fConverged && xConverged ? LeastSquaresStatus.FunctionAndStepTolerance
                            : fConverged ? LeastSquaresStatus.FunctionTolerance : LeastSquaresStatus.StepTolerance;
                        string fWhy = string.Create(CultureInfo.InvariantCulture,
                            $"the relative reductions of the sum of squares, actual {Math.Abs(actred):0.0e+00} and predicted {prered:0.0e+00}, are ≤ ftol {ftol:0.0e+00}");
                        string xWhy = string.Create(CultureInfo.InvariantCulture,
                            $"the trust region radius {delta:0.0e+00} ≤ xtol·‖Dx‖ = {xtol:0.0e+00} × {xnorm:0.0e+00}: x changes by at most xtol, relatively");
                        string why = status switch
                        {
                            LeastSquaresStatus.FunctionAndStepTolerance => fWhy + "; and " + xWhy,
                            LeastSquaresStatus.FunctionTolerance => fWhy,
                            _ => xWhy,
                        };
                        return Finish(x, fvec, status, why, jacobianEvaluations, iterations, gnorm, clock);
                    }

                    // Termination: the budget, and tolerances too small for floating point.
                    if (_evaluations >= maxEvaluations)
                    {
                        return Finish(x, fvec, LeastSquaresStatus.MaxEvaluations,
                            string.Create(CultureInfo.InvariantCulture,
                                $"reached the limit of {maxEvaluations} residual evaluations (maxfev) with no tolerance met; the last step's relative reduction was {actred:0.0e+00} and the largest cosine {gnorm:0.0e+00}"),
                            jacobianEvaluations, iterations, gnorm, clock);
                    }

                    if (Math.Abs(actred) <= Epsilon && prered <= Epsilon && 0.5 * ratio <= 1)
                    {
                        return Finish(x, fvec, LeastSquaresStatus.FunctionToleranceTooSmall,
                            "no further reduction of the sum of squares is possible in floating point (relative reductions ≤ ε); ftol is too small",
                            jacobianEvaluations, iterations, gnorm, clock);
                    }

                    if (delta <= Epsilon * xnorm)
                    {
                        return Finish(x, fvec, LeastSquaresStatus.StepToleranceTooSmall,
                            "no further improvement of x is possible in floating point (trust region ≤ ε·‖Dx‖); xtol is too small",
                            jacobianEvaluations, iterations, gnorm, clock);
                    }

                    if (gnorm <= Epsilon)
                    {
                        return Finish(x, fvec, LeastSquaresStatus.GradientToleranceTooSmall,
                            "r is orthogonal to the columns of J to machine precision; gtol is too small",
                            jacobianEvaluations, iterations, gnorm, clock);
                    }
                }
                while (ratio < 1e-4);
            }
        }

        private double Evaluate(double[] x, double[] residuals)
        {
            _function.Residuals(x, _residualBuffer);
            _evaluations++;
            Array.Copy(_residualBuffer, residuals, _m);
            for (int i = _m; i < residuals.Length; i++)
            {
                residuals[i] = 0;
            }

            return Norm(residuals);
        }

        private LeastSquaresResult Finish(double[] x, double[] fvec, LeastSquaresStatus status, string message, int jacobianEvaluations, int iterations, double gnorm, Stopwatch clock) =>
            new((double[])x.Clone(), fvec[.._m], status, message, _evaluations, jacobianEvaluations, iterations, gnorm, clock.Elapsed);
    }

    /// <summary>
    /// Householder QR with column pivoting of the mm × n column-major <paramref name="a"/> (MINPACK's <c>qrfac</c>):
    /// on return the strict upper triangle holds R without its diagonal (in <paramref name="rdiag"/>), the lower trapezoid
    /// the Householder vectors, <paramref name="ipvt"/> the permutation (column j of AP is column ipvt[j] of A) and
    /// <paramref name="acnorm"/> the norms of A's columns.
    /// </summary>
    internal static void QrFactor(double[] a, int mm, int n, int[] ipvt, double[] rdiag, double[] acnorm, double[] work)
    {
        for (int j = 0; j < n; j++)
        {
            acnorm[j] = Norm(a.AsSpan(j * mm, mm));
            rdiag[j] = acnorm[j];
            work[j] = rdiag[j];
            ipvt[j] = j;
        }

        int minmn = Math.Min(mm, n);
        for (int j = 0; j < minmn; j++)
        {
            // Bring the column of largest remaining norm into the pivot position.
            int kmax = j;
            for (int k = j; k < n; k++)
            {
                if (rdiag[k] > rdiag[kmax])
                {
                    kmax = k;
                }
            }

            if (kmax != j)
            {
                for (int i = 0; i < mm; i++)
                {
                    (a[(j * mm) + i], a[(kmax * mm) + i]) = (a[(kmax * mm) + i], a[(j * mm) + i]);
                }

                rdiag[kmax] = rdiag[j];
                work[kmax] = work[j];
                (ipvt[j], ipvt[kmax]) = (ipvt[kmax], ipvt[j]);
            }

            // The Householder transformation that reduces column j below the diagonal to zero.
            double ajnorm = Norm(a.AsSpan((j * mm) + j, mm - j));
            if (ajnorm != 0)
            {
                if (a[(j * mm) + j] < 0)
                {
                    ajnorm = -ajnorm;
                }

                for (int i = j; i < mm; i++)
                {
                    a[(j * mm) + i] /= ajnorm;
                }

                a[(j * mm) + j] += 1;

                // Apply it to the remaining columns and update their norms.
                for (int k = j + 1; k < n; k++)
                {
                    double sum = 0;
                    for (int i = j; i < mm; i++)
                    {
                        sum += a[(j * mm) + i] * a[(k * mm) + i];
                    }

                    double temp = sum / a[(j * mm) + j];
                    for (int i = j; i < mm; i++)
                    {
                        a[(k * mm) + i] -= temp * a[(j * mm) + i];
                    }

                    if (rdiag[k] != 0)
                    {
                        double t = a[(k * mm) + j] / rdiag[k];
                        rdiag[k] *= Math.Sqrt(Math.Max(0, 1 - (t * t)));
                        double ratio = rdiag[k] / work[k];
                        if (0.05 * ratio * ratio <= Epsilon)
                        {
                            // Too much cancellation in the downdate: recompute the norm.
                            rdiag[k] = Norm(a.AsSpan((k * mm) + j + 1, mm - j - 1));
                            work[k] = rdiag[k];
                        }
                    }
                }
            }

            rdiag[j] = -ajnorm;
        }
    }

    /// <summary>
    /// MINPACK's <c>lmpar</c>: the Levenberg parameter λ ≥ 0 for which the solution p of min ‖Rz − Qᵀr‖² + λ‖Dz‖²
    /// (z = Pᵀp) has ‖Dp‖ within 10% of Δ, or λ = 0 when the Gauss–Newton step is shorter than 1.1Δ. Writes the step
    /// (with the sign of the solution of R·z = Qᵀr, i.e. the negated update) into <paramref name="x"/>.
    /// </summary>
    internal static double LevenbergParameter(
        double[] r, int ldr, int n, int[] ipvt, double[] diag, double[] qtb, double delta, double par, double[] x, double[] sdiag, double[] wa1, double[] wa2, double[] wa3)
    {
        // The Gauss–Newton direction (least squares if R is singular).
        int nsing = n;
        for (int j = 0; j < n; j++)
        {
            wa1[j] = qtb[j];
            if (r[(j * ldr) + j] == 0 && nsing == n)
            {
                nsing = j;
            }

            if (nsing < n)
            {
                wa1[j] = 0;
            }
        }

        for (int j = nsing - 1; j >= 0; j--)
        {
            wa1[j] /= r[(j * ldr) + j];
            double temp = wa1[j];
            for (int i = 0; i < j; i++)
            {
                wa1[i] -= r[(j * ldr) + i] * temp;
            }
        }

        for (int j = 0; j < n; j++)
        {
            x[ipvt[j]] = wa1[j];
        }

        for (int j = 0; j < n; j++)
        {
            wa2[j] = diag[j] * x[j];
        }

        double dxnorm = Norm(wa2);
        double fp = dxnorm - delta;
        if (fp <= 0.1 * delta)
        {
            return 0;
        }

        // A lower bound parl for the zero of φ(λ) = ‖D p(λ)‖ − Δ (if the Jacobian has full rank), from Newton's step at 0.
        double parl = 0;
        if (nsing >= n)
        {
            for (int j = 0; j < n; j++)
            {
                int l = ipvt[j];
                wa1[j] = diag[l] * (wa2[l] / dxnorm);
            }

            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int i = 0; i < j; i++)
                {
                    sum += r[(j * ldr) + i] * wa1[i];
                }

                wa1[j] = (wa1[j] - sum) / r[(j * ldr) + j];
            }

            double temp = Norm(wa1);
            parl = fp / delta / temp / temp;
        }

        // An upper bound paru from ‖(JD⁻¹)ᵀr‖/Δ.
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int i = 0; i <= j; i++)
            {
                sum += r[(j * ldr) + i] * qtb[i];
            }

            wa1[j] = sum / diag[ipvt[j]];
        }

        double gnorm = Norm(wa1);
        double paru = gnorm / delta;
        if (paru == 0)
        {
            paru = Dwarf / Math.Min(delta, 0.1);
        }

        par = Math.Max(par, parl);
        par = Math.Min(par, paru);
        if (par == 0)
        {
            par = gnorm / dxnorm;
        }

        for (int iteration = 1; ; iteration++)
        {
            if (par == 0)
            {
                par = Math.Max(Dwarf, 0.001 * paru);
            }

            double root = Math.Sqrt(par);
            for (int j = 0; j < n; j++)
            {
                wa1[j] = root * diag[j];
            }

            QrSolve(r, ldr, n, ipvt, wa1, qtb, x, sdiag, wa2);
            for (int j = 0; j < n; j++)
            {
                wa2[j] = diag[j] * x[j];
            }

            dxnorm = Norm(wa2);
            double previous = fp;
            fp = dxnorm - delta;
            if (Math.Abs(fp) <= 0.1 * delta || (parl == 0 && fp <= previous && previous < 0) || iteration == 10)
            {
                return par;
            }

            // Newton's correction of λ.
            for (int j = 0; j < n; j++)
            {
                int l = ipvt[j];
                wa1[j] = diag[l] * (wa2[l] / dxnorm);
            }

            for (int j = 0; j < n; j++)
            {
                wa1[j] /= sdiag[j];
                double temp = wa1[j];
                for (int i = j + 1; i < n; i++)
                {
                    wa1[i] -= r[(j * ldr) + i] * temp;
                }
            }

            double norm = Norm(wa1);
            double parc = fp / delta / norm / norm;
            if (fp > 0)
            {
                parl = Math.Max(parl, par);
            }

            if (fp < 0)
            {
                paru = Math.Min(paru, par);
            }

            par = Math.Max(parl, par + parc);
        }
    }

    /// <summary>
    /// MINPACK's <c>qrsolv</c>: solves [R; Pᵀ·diag·P] z ≈ [Qᵀb; 0] in the least squares sense by Givens rotations that
    /// eliminate the diagonal block. R's strict upper triangle and diagonal are kept; its strict lower triangle receives
    /// the transpose of the new triangular factor S, whose diagonal goes to <paramref name="sdiag"/>.
    /// </summary>
    internal static void QrSolve(double[] r, int ldr, int n, int[] ipvt, double[] diag, double[] qtb, double[] x, double[] sdiag, double[] wa)
    {
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                r[(j * ldr) + i] = r[(i * ldr) + j];
            }

            x[j] = r[(j * ldr) + j];
            wa[j] = qtb[j];
        }

        for (int j = 0; j < n; j++)
        {
            int l = ipvt[j];
            if (diag[l] != 0)
            {
                for (int k = j; k < n; k++)
                {
                    sdiag[k] = 0;
                }

                sdiag[j] = diag[l];
                double qtbpj = 0;
                for (int k = j; k < n; k++)
                {
                    if (sdiag[k] == 0)
                    {
                        continue;
                    }

                    double rkk = r[(k * ldr) + k];
                    double sin, cos;
                    if (Math.Abs(rkk) < Math.Abs(sdiag[k]))
                    {
                        double cotan = rkk / sdiag[k];
                        sin = 0.5 / Math.Sqrt(0.25 + (0.25 * cotan * cotan));
                        cos = sin * cotan;
                    }
                    else
                    {
                        double tan = sdiag[k] / rkk;
                        cos = 0.5 / Math.Sqrt(0.25 + (0.25 * tan * tan));
                        sin = cos * tan;
                    }

                    r[(k * ldr) + k] = (cos * rkk) + (sin * sdiag[k]);
                    double temp = (cos * wa[k]) + (sin * qtbpj);
                    qtbpj = (-sin * wa[k]) + (cos * qtbpj);
                    wa[k] = temp;
                    for (int i = k + 1; i < n; i++)
                    {
                        double rik = r[(k * ldr) + i];
                        temp = (cos * rik) + (sin * sdiag[i]);
                        sdiag[i] = (-sin * rik) + (cos * sdiag[i]);
                        r[(k * ldr) + i] = temp;
                    }
                }
            }

            sdiag[j] = r[(j * ldr) + j];
            r[(j * ldr) + j] = x[j];
        }

        // Solve S z = wa (least squares if S is singular), then permute back.
        int nsing = n;
        for (int j = 0; j < n; j++)
        {
            if (sdiag[j] == 0 && nsing == n)
            {
                nsing = j;
            }

            if (nsing < n)
            {
                wa[j] = 0;
            }
        }

        for (int j = nsing - 1; j >= 0; j--)
        {
            double sum = 0;
            for (int i = j + 1; i < nsing; i++)
            {
                sum += r[(j * ldr) + i] * wa[i];
            }

            wa[j] = (wa[j] - sum) / sdiag[j];
        }

        for (int j = 0; j < n; j++)
        {
            x[ipvt[j]] = wa[j];
        }
    }

    /// <summary>‖D·v‖.</summary>
    private static double ScaledNorm(double[] d, double[] v)
    {
        double sum = 0;
        for (int j = 0; j < v.Length; j++)
        {
            double t = d[j] * v[j];
            sum += t * t;
        }

        return double.IsFinite(sum) && sum > 1e-290 ? Math.Sqrt(sum) : ScaledNormSlow(d, v);
    }

    private static double ScaledNormSlow(double[] d, double[] v)
    {
        var t = new double[v.Length];
        for (int j = 0; j < v.Length; j++)
        {
            t[j] = d[j] * v[j];
        }

        return Norm(t);
    }

    /// <summary>The Euclidean norm, without overflow or destructive underflow (the sum is rescaled by the largest entry when it would).</summary>
    internal static double Norm(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (double x in v)
        {
            sum += x * x;
        }

        if (double.IsFinite(sum) && sum > 1e-290)
        {
            return Math.Sqrt(sum);
        }

        double largest = 0;
        foreach (double x in v)
        {
            largest = Math.Max(largest, Math.Abs(x));
        }

        if (largest == 0 || !double.IsFinite(largest))
        {
            return largest;
        }

        double scaled = 0;
        foreach (double x in v)
        {
            double t = x / largest;
            scaled += t * t;
        }

        return largest * Math.Sqrt(scaled);
    }
}
