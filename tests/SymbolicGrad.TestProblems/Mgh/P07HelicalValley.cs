namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (7) Helical valley: f₁ = 10[x₃ − 10θ(x₁, x₂)], f₂ = 10[(x₁² + x₂²)^½ − 1], f₃ = x₃, with
    /// 2πθ = arctan(x₂/x₁) for x₁ &gt; 0 and arctan(x₂/x₁) + π for x₁ &lt; 0 (at x₁ = 0, MINPACK's limit from the right,
    /// θ = ¼·sign(x₂)); x₀ = (−1, 0, 0); f* = 0 at (1, 0, 0).
    /// </summary>
    public static MghProblem HelicalValley() => new(
        7, "Helical valley", 3, 3, [-1.0, 0.0, 0.0], new MghMinimum(0, "(1, 0, 0)"),
        (x, r) =>
        {
            r[0] = 10 * (x[2] - (10 * HelicalTheta(x[0], x[1])));
            r[1] = 10 * (Math.Sqrt((x[0] * x[0]) + (x[1] * x[1])) - 1);
            r[2] = x[2];
        },
        (x, j) =>
        {
            double s = (x[0] * x[0]) + (x[1] * x[1]);
            double root = Math.Sqrt(s);
            // ∂θ/∂x₁ = −x₂/(2πs), ∂θ/∂x₂ = x₁/(2πs) on both branches.
            j[0] = 100 * x[1] / (2 * Math.PI * s);
            j[1] = -100 * x[0] / (2 * Math.PI * s);
            j[2] = 10;
            j[3] = 10 * x[0] / root;
            j[4] = 10 * x[1] / root;
            j[8] = 1;
        },
        (x, w, v, h) =>
        {
            double s = (x[0] * x[0]) + (x[1] * x[1]);
            // ∇²θ = [[x₁x₂/(πs²), (x₂² − x₁²)/(2πs²)], [·, −x₁x₂/(πs²)]]; f₁ has −100·∇²θ.
            double t11 = x[0] * x[1] / (Math.PI * s * s);
            double t12 = ((x[1] * x[1]) - (x[0] * x[0])) / (2 * Math.PI * s * s);
            // ∇²(10√s) = 10/s^{3/2}·[[x₂², −x₁x₂], [−x₁x₂, x₁²]].
            double c = 10 / (s * Math.Sqrt(s));
            double a11 = (-100 * w[0] * t11) + (w[1] * c * x[1] * x[1]);
            double a12 = (-100 * w[0] * t12) - (w[1] * c * x[0] * x[1]);
            double a22 = (100 * w[0] * t11) + (w[1] * c * x[0] * x[0]);
            h[0] += (a11 * v[0]) + (a12 * v[1]);
            h[1] += (a12 * v[0]) + (a22 * v[1]);
        },
        MghObjectives.HelicalValleyObjective,
        MghResiduals.HelicalValley);

    private static double HelicalTheta(double x1, double x2)
    {
        if (x1 > 0)
        {
            return Math.Atan(x2 / x1) / (2 * Math.PI);
        }

        if (x1 < 0)
        {
            return (Math.Atan(x2 / x1) / (2 * Math.PI)) + 0.5;
        }

        return 0.25 * Math.Sign(x2);
    }
}

public static partial class MghObjectives
{
    /// <summary>(7) Helical valley.</summary>
    [Differentiable(Hessian = true)]
    public static double HelicalValley(ReadOnlySpan<double> x)
    {
        double theta;
        if (x[0] > 0)
        {
            theta = Math.Atan(x[1] / x[0]) / (2 * Math.PI);
        }
        else if (x[0] < 0)
        {
            theta = Math.Atan(x[1] / x[0]) / (2 * Math.PI) + 0.5;
        }
        else
        {
            theta = 0.25 * Math.Sign(x[1]);
        }

        double f1 = 10 * (x[2] - 10 * theta);
        double f2 = 10 * (Math.Sqrt(x[0] * x[0] + x[1] * x[1]) - 1);
        double f3 = x[2];
        return f1 * f1 + f2 * f2 + f3 * f3;
    }
}

public static partial class MghResiduals
{
    /// <summary>(7) Helical valley.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void HelicalValley(ReadOnlySpan<double> x, Span<double> r)
    {
        double theta;
        if (x[0] > 0)
        {
            theta = Math.Atan(x[1] / x[0]) / (2 * Math.PI);
        }
        else if (x[0] < 0)
        {
            theta = Math.Atan(x[1] / x[0]) / (2 * Math.PI) + 0.5;
        }
        else
        {
            theta = 0.25 * Math.Sign(x[1]);
        }

        r[0] = 10 * (x[2] - 10 * theta);
        r[1] = 10 * (Math.Sqrt(x[0] * x[0] + x[1] * x[1]) - 1);
        r[2] = x[2];
    }
}
