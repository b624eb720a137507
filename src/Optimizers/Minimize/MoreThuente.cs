namespace SymbolicGrad.Optimizers;

/// <summary>The state of one line search along x + t·d: what it evaluates, and the best point it has kept.</summary>
internal sealed class LineObjective
{
    private readonly ValueAndGradientFunction _function;
    private readonly double[] _x;
    private readonly double[] _d;
    private readonly double[] _trialX;
    private readonly double[] _trialG;
    private readonly Bounds? _bounds;

    public LineObjective(ValueAndGradientFunction function, int n, Bounds? bounds = null)
    {
        _function = function;
        _bounds = bounds;
        _x = new double[n];
        _d = new double[n];
        _trialX = new double[n];
        _trialG = new double[n];
        BestX = new double[n];
        BestG = new double[n];
    }

    /// <summary>Evaluations made through this object.</summary>
    public long Evaluations { get; set; }

    /// <summary>Evaluations at which f or its gradient was not finite (trial points beyond a NaN or ∞ wall).</summary>
    public long NonFiniteEvaluations { get; private set; }

    /// <summary>The point kept by <see cref="Keep"/>.</summary>
    public double[] BestX { get; }

    /// <summary>The gradient at <see cref="BestX"/>.</summary>
    public double[] BestG { get; }

    /// <summary>f at <see cref="BestX"/>.</summary>
    public double BestF { get; private set; }

    /// <summary>Starts a search from <paramref name="x"/> along <paramref name="d"/>.</summary>
    public void Reset(ReadOnlySpan<double> x, ReadOnlySpan<double> d)
    {
        x.CopyTo(_x);
        d.CopyTo(_d);
    }

    /// <summary>φ(t) = f(x + t·d) and φ'(t) = ∇f(x + t·d)ᵀd; NaN or ∞ when f or ∇f is not finite there.</summary>
    public double Evaluate(double t, out double slope)
    {
        for (int i = 0; i < _x.Length; i++)
        {
            _trialX[i] = _x[i] + (t * _d[i]);
        }

        // Steps within the bound the caller computed stay in the box up to rounding; remove the rounding.
        _bounds?.Project(_trialX);

        double f = _function(_trialX, _trialG);
        Evaluations++;
        slope = 0;
        for (int i = 0; i < _x.Length; i++)
        {
            slope += _trialG[i] * _d[i];
        }

        if (!double.IsFinite(slope) || !double.IsFinite(f))
        {
            NonFiniteEvaluations++;
        }

        return double.IsFinite(slope) ? f : double.NaN;
    }

    /// <summary>True when x + t·d differs from x in floating point.</summary>
    public bool Moves(double t)
    {
        for (int i = 0; i < _x.Length; i++)
        {
            if (_x[i] + (t * _d[i]) != _x[i])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps the last evaluated point as the best one.</summary>
    public void Keep(double f)
    {
        Array.Copy(_trialX, BestX, _x.Length);
        Array.Copy(_trialG, BestG, _x.Length);
        BestF = f;
    }
}

/// <summary>How a line search ended.</summary>
internal enum LineSearchOutcome
{
    /// <summary>A step satisfying the strong Wolfe conditions was found.</summary>
    Wolfe,

    /// <summary>No Wolfe step within the budget or the interval, but a step with sufficient decrease was kept.</summary>
    SufficientDecrease,

    /// <summary>No step with sufficient decrease was found.</summary>
    NoDecrease,
}

/// <summary>
/// The line search of Moré and Thuente, "Line search algorithms with guaranteed sufficient decrease" (ACM TOMS 20(3),
/// 1994), as in MINPACK-2's <c>dcsrch</c>/<c>dcstep</c> (the search L-BFGS-B uses): it finds t with
/// φ(t) ≤ φ(0) + c₁tφ'(0) and |φ'(t)| ≤ c₂|φ'(0)| by safeguarded cubic and quadratic interpolation on an interval of
/// uncertainty. Non-finite values (outside the function's domain) halve the step toward the best point instead.
/// </summary>
internal static class MoreThuente
{
    private const double ExtrapolateLow = 1.1;
    private const double ExtrapolateHigh = 4.0;

    /// <summary>Searches along the line held by <paramref name="line"/>; on success its Best* hold the accepted point.</summary>
    /// <param name="line">The line.</param>
    /// <param name="f0">φ(0).</param>
    /// <param name="slope0">φ'(0) &lt; 0.</param>
    /// <param name="step">The first trial step; on return the accepted step (0 when none).</param>
    /// <param name="maxStep">The largest step allowed.</param>
    /// <param name="maxEvaluations">The evaluations allowed.</param>
    /// <param name="c1">The sufficient decrease constant.</param>
    /// <param name="c2">The curvature constant.</param>
    /// <param name="xtol">The relative width of the interval of uncertainty at which the search gives up.</param>
    public static LineSearchOutcome Search(
        LineObjective line, double f0, double slope0, ref double step, double maxStep, int maxEvaluations, double c1 = 1e-4, double c2 = 0.9, double xtol = 1e-10)
    {
        double stp = Math.Min(step, maxStep);
        double gtest = c1 * slope0;
        double width = maxStep, width1 = 2 * maxStep;
        bool brackt = false;
        int stage = 1;
        double stx = 0, fx = f0, gx = slope0;
        double sty = 0, fy = f0, gy = slope0;
        double stmin = 0, stmax = stp + (ExtrapolateHigh * stp);
        double finiteLimit = maxStep; // below the smallest step where f was not finite
        double bestStep = 0, bestF = f0;
        step = 0;

        for (int evaluation = 0; evaluation < maxEvaluations; evaluation++)
        {
            double f = line.Evaluate(stp, out double g);
            if (!double.IsFinite(f))
            {
                // Outside the domain: back off halfway toward the best point.
                finiteLimit = stp;
                stp = stx + (0.5 * (stp - stx));
                if (stp - stx <= xtol * Math.Max(stp, double.Epsilon))
                {
                    break;
                }

                continue;
            }

            double ftest = f0 + (stp * gtest);
            bool sufficient = f <= ftest;
            if (sufficient && f < bestF)
            {
                line.Keep(f);
                bestF = f;
                bestStep = stp;
            }

            if (sufficient && Math.Abs(g) <= -c2 * slope0)
            {
                if (bestStep != stp)
                {
                    line.Keep(f);
                }

                step = stp;
                return LineSearchOutcome.Wolfe;
            }

            if (stage == 1 && sufficient && g >= 0)
            {
                stage = 2;
            }

            // dcsrch's warnings: no progress is possible any more.
            if ((brackt && (stp <= stmin || stp >= stmax)) || (brackt && stmax - stmin <= xtol * stmax) ||
                (stp == maxStep && sufficient && g <= gtest) || (stp == 0 && (!sufficient || g >= gtest)))
            {
                break;
            }

            if (stage == 1 && f <= fx && !sufficient)
            {
                // The modified function ψ(t) = φ(t) − φ(0) − c₁tφ'(0) until a step with sufficient decrease is bracketed.
                double fm = f - (stp * gtest), fxm = fx - (stx * gtest), fym = fy - (sty * gtest);
                double gm = g - gtest, gxm = gx - gtest, gym = gy - gtest;
                Step(ref stx, ref fxm, ref gxm, ref sty, ref fym, ref gym, ref stp, fm, gm, ref brackt, stmin, stmax);
                fx = fxm + (stx * gtest);
                fy = fym + (sty * gtest);
                gx = gxm + gtest;
                gy = gym + gtest;
            }
            else
            {
                Step(ref stx, ref fx, ref gx, ref sty, ref fy, ref gy, ref stp, f, g, ref brackt, stmin, stmax);
            }

            if (brackt)
            {
                // Force a sufficient decrease in the size of the interval.
                if (Math.Abs(sty - stx) >= 0.66 * width1)
                {
                    stp = stx + (0.5 * (sty - stx));
                }

                width1 = width;
                width = Math.Abs(sty - stx);
                stmin = Math.Min(stx, sty);
                stmax = Math.Max(stx, sty);
            }
            else
            {
                stmin = stp + (ExtrapolateLow * (stp - stx));
                stmax = stp + (ExtrapolateHigh * (stp - stx));
            }

            stp = Math.Clamp(stp, 0, Math.Min(maxStep, finiteLimit));
            if (stp >= finiteLimit)
            {
                stp = stx + (0.5 * (finiteLimit - stx));
            }

            if ((brackt && (stp <= stmin || stp >= stmax)) || (brackt && stmax - stmin <= xtol * stmax))
            {
                stp = stx;
            }
        }

        if (bestStep > 0)
        {
            step = bestStep;
            return LineSearchOutcome.SufficientDecrease;
        }

        return LineSearchOutcome.NoDecrease;
    }

    /// <summary>
    /// MINPACK-2's <c>dcstep</c>: a safeguarded step for the interval of uncertainty [stx, sty] given a new trial stp
    /// (cubic and secant interpolation, four cases), and the update of the interval.
    /// </summary>
    private static void Step(
        ref double stx, ref double fx, ref double dx, ref double sty, ref double fy, ref double dy, ref double stp, double fp, double dp,
        ref bool brackt, double stpmin, double stpmax)
    {
        double sgnd = dp * Math.Sign(dx);
        double stpf;
        if (fp > fx)
        {
            // Case 1: a higher value; the minimum is bracketed. The cubic step, or halfway to the quadratic one.
            double theta = (3 * (fx - fp) / (stp - stx)) + dx + dp;
            double s = Max3(Math.Abs(theta), Math.Abs(dx), Math.Abs(dp));
            double gamma = s * Math.Sqrt(((theta / s) * (theta / s)) - ((dx / s) * (dp / s)));
            if (stp < stx)
            {
                gamma = -gamma;
            }

            double p = gamma - dx + theta;
            double q = gamma - dx + gamma + dp;
            double r = p / q;
            double stpc = stx + (r * (stp - stx));
            double stpq = stx + (dx / (((fx - fp) / (stp - stx)) + dx) / 2 * (stp - stx));
            stpf = Math.Abs(stpc - stx) < Math.Abs(stpq - stx) ? stpc : stpc + ((stpq - stpc) / 2);
            brackt = true;
        }
        else if (sgnd < 0)
        {
            // Case 2: a lower value with derivatives of opposite sign; bracketed. The cubic or the secant step, the farther.
            double theta = (3 * (fx - fp) / (stp - stx)) + dx + dp;
            double s = Max3(Math.Abs(theta), Math.Abs(dx), Math.Abs(dp));
            double gamma = s * Math.Sqrt(((theta / s) * (theta / s)) - ((dx / s) * (dp / s)));
            if (stp > stx)
            {
                gamma = -gamma;
            }

            double p = gamma - dp + theta;
            double q = gamma - dp + gamma + dx;
            double r = p / q;
            double stpc = stp + (r * (stx - stp));
            double stpq = stp + (dp / (dp - dx) * (stx - stp));
            stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
            brackt = true;
        }
        else if (Math.Abs(dp) < Math.Abs(dx))
        {
            // Case 3: a lower value, same sign, smaller derivative. The cubic step only if it heads the right way.
            double theta = (3 * (fx - fp) / (stp - stx)) + dx + dp;
            double s = Max3(Math.Abs(theta), Math.Abs(dx), Math.Abs(dp));
            double gamma = s * Math.Sqrt(Math.Max(0, ((theta / s) * (theta / s)) - ((dx / s) * (dp / s))));
            if (stp > stx)
            {
                gamma = -gamma;
            }

            double p = gamma - dp + theta;
            double q = gamma + (dx - dp) + gamma;
            double r = p / q;
            double stpc = r < 0 && gamma != 0 ? stp + (r * (stx - stp)) : stp > stx ? stpmax : stpmin;
            double stpq = stp + (dp / (dp - dx) * (stx - stp));
            if (brackt)
            {
                stpf = Math.Abs(stpc - stp) < Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = stp > stx ? Math.Min(stp + (0.66 * (sty - stp)), stpf) : Math.Max(stp + (0.66 * (sty - stp)), stpf);
            }
            else
            {
                stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = Math.Clamp(stpf, stpmin, stpmax);
            }
        }
        else
        {
            // Case 4: a lower value, same sign, the derivative does not decrease. Cubic toward sty, or to a bound.
            if (brackt)
            {
                double theta = (3 * (fp - fy) / (sty - stp)) + dy + dp;
                double s = Max3(Math.Abs(theta), Math.Abs(dy), Math.Abs(dp));
                double gamma = s * Math.Sqrt(((theta / s) * (theta / s)) - ((dy / s) * (dp / s)));
                if (stp > sty)
                {
                    gamma = -gamma;
                }

                double p = gamma - dp + theta;
                double q = gamma - dp + gamma + dy;
                double r = p / q;
                stpf = stp + (r * (sty - stp));
            }
            else
            {
                stpf = stp > stx ? stpmax : stpmin;
            }
        }

        // Update the interval of uncertainty.
        if (fp > fx)
        {
            sty = stp;
            fy = fp;
            dy = dp;
        }
        else
        {
            if (sgnd < 0)
            {
                sty = stx;
                fy = fx;
                dy = dx;
            }

            stx = stp;
            fx = fp;
            dx = dp;
        }

        // (A NaN step, from 0/0 when two trial points coincide, falls back to bisection or to the extrapolation bound.)
        stp = double.IsFinite(stpf) ? stpf : brackt ? 0.5 * (stx + sty) : stpmax;
    }

    /// <summary>
    /// The last resort after a failed search: steps t, t/10, t/100, … until one decreases f (kept in <paramref name="line"/>)
    /// or the step no longer changes x in floating point. False means no decrease exists along the line at any
    /// representable step: the point is at the limit of floating-point precision along this direction.
    /// </summary>
    public static bool BacktrackToPrecision(LineObjective line, double f0, double step, int maxEvaluations)
    {
        for (int k = 0; k < maxEvaluations && line.Moves(step); k++)
        {
            double f = line.Evaluate(step, out _);
            if (double.IsFinite(f) && f < f0)
            {
                line.Keep(f);
                return true;
            }

            step *= 0.1;
        }

        return false;
    }

    private static double Max3(double a, double b, double c) => Math.Max(a, Math.Max(b, c));
}
