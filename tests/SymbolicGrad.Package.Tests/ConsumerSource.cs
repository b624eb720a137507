namespace SymbolicGrad.Package.Tests;

/// <summary>The consumer's code: what a new user writes after <c>dotnet add package SymbolicGrad</c>.</summary>
internal static class ConsumerSource
{
    public const string Losses = """
        using SymbolicGrad;

        public static partial class Losses
        {
            [Differentiable]
            public static double Rosenbrock(double a, double b) => (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);

            [Differentiable]
            public static double Polynomial(ReadOnlySpan<double> c, double x)
            {
                double p = 0;
                for (int i = c.Length - 1; i >= 0; i--)
                {
                    p = p * x + c[i];
                }

                return p;
            }

            // C# 14 (the default of net10.0 projects, compiled by the SDK's own compiler): extension members as helpers.
            [Differentiable]
            public static double WithExtensions(double x, double y) => x.Squared() + y.Cubed;

            // C# 14 user-defined compound assignment: an instance operator that changes its target in place.
            [Differentiable]
            public static double WithCompoundOperator(double x, double y)
            {
                var v = new Accumulator(x, y);
                v += new Accumulator(y, x);
                return v.A * v.B;
            }
        }

        public struct Accumulator(double a, double b)
        {
            public double A = a;
            public double B = b;

            public void operator +=(Accumulator other)
            {
                A += 2 * other.A;
                B += 2 * other.B;
            }
        }

        public static class NumberExtensions
        {
            extension(double v)
            {
                public double Squared() => v * v;

                public double Cubed => v * v * v;
            }
        }

        """;

    /// <summary>
    /// How the consumer minimizes. <c>Optimize.Minimize</c> (issue #10, section 3) is not on main yet: until it lands the
    /// program uses L-BFGS with a strong-Wolfe line search; then switch <see cref="MinimizeHasLanded"/> to true.
    /// </summary>
    public const bool MinimizeHasLanded = false;

    private const string LbfgsMinimize = """
        var result = new Lbfgs(maxIterations: 1000, toleranceGrad: 1e-12, toleranceChange: 1e-15, lineSearch: LineSearch.StrongWolfe)
            .Minimize(Losses.RosenbrockObjective(), [-1.2, 1.0]);
        Console.WriteLine($"minimum {result.Parameters[0]:R} {result.Parameters[1]:R} {result.Loss:R} {result.StopReason != StopReason.Diverged}");
        """;

    private const string OptimizeMinimize = """
        var result = Optimize.Minimize(Losses.RosenbrockObjective(), [-1.2, 1.0]);
        Console.WriteLine($"minimum {result.X[0]:R} {result.X[1]:R} {result.Value:R} {result.Success}");
        """;

    public static string Program => """
        using System.Globalization;
        using SymbolicGrad;
        using SymbolicGrad.Optimizers;

        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

        // The generated gradients, printed at full precision.
        double value = Losses.RosenbrockGradient(0.3, -1.2, out double dA, out double dB);
        Console.WriteLine($"rosenbrock {value:R} {dA:R} {dB:R}");

        double[] c = [1.5, -2.0, 0.25, 3.0];
        double[] dC = new double[c.Length];
        double p = Losses.PolynomialGradient(c, 0.7, dC, out double dX);
        Console.WriteLine($"polynomial {p:R} {string.Join(" ", dC.Select(v => v.ToString("R")))} {dX:R}");
        double e = Losses.WithExtensionsGradient(0.7, 1.3, out double eX, out double eY);
        Console.WriteLine($"extensions {e:R} {eX:R} {eY:R}");
        double o = Losses.WithCompoundOperatorGradient(0.7, 1.3, out double oX, out double oY);
        Console.WriteLine($"compound {o:R} {oX:R} {oY:R}");

        // Gradient checking against centered differences.
        Console.WriteLine($"check {GradientCheck.Check(Losses.RosenbrockObjective(), [0.3, -1.2]).Passed}");

        // Minimizing.

        """ + (MinimizeHasLanded ? OptimizeMinimize : LbfgsMinimize) + "\n";
}
