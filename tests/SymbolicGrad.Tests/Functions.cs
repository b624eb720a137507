using SymbolicGrad;
using SymbolicGrad.TestFunctions;

namespace SymbolicGrad.Tests;

/// <summary>
/// Functions differentiated at build time by the generator in this very project. Every one of them is
/// checked against numeric gradients in <see cref="GradientCatalogTests"/> and, where one exists, a closed form.
/// </summary>
public static partial class F
{
    public const double Scale = 1.5;
    public static readonly double Offset = 0.25;

    public static double Factor { get; } = 2.0;

    // ---- arithmetic
    [Differentiable] public static double Add(double x, double y) => x + y;
    [Differentiable] public static double Sub(double x, double y) => x - y;
    [Differentiable] public static double Mul(double x, double y) => x * y;
    [Differentiable] public static double Div(double x, double y) => x / y;
    [Differentiable] public static double Neg(double x) => -x;
    [Differentiable] public static double Rem(double x, double y) => x % y;
    [Differentiable] public static double Square(double x) => x * x;
    [Differentiable] public static double Polynomial(double x) => 3 * x * x * x - 2 * x * x + x - 7;
    [Differentiable] public static double Rational(double x, double y) => (x * y + 1) / (x * x + y * y + 1);
    [Differentiable] public static double Constants(double x) => Scale * x + Offset * x * x + Factor + Math.PI * x;
    [Differentiable] public static double UnaryPlusAndParens(double x, double y) => +((x - y) * (-(x + y)));

    [Differentiable]
    public static double CompoundAssignments(double x, double y)
    {
        double s = x;
        s += y;
        s *= x;
        s -= 2 * y;
        s /= 1 + x * x;
        s++;
        s--;
        s++;
        return s;
    }

    [Differentiable]
    public static double ReassignedParameter(double x)
    {
        x = x * x;
        x = x + 1;
        return x * x;
    }

    [Differentiable]
    public static double IntegerParameters(double x, int n, long m, bool flip)
    {
        double p = x * n + m;
        return flip ? -p * p : p * p;
    }

    [Differentiable]
    public static double Casts(double x, float y, int k)
    {
        float xf = (float)x;
        double back = xf * y;
        return back + (double)k * x + (int)(x * 10) * 0.5;
    }

    [Differentiable]
    public static double DataParameter(double w, [NoDerivative] double x, [NoDerivative] double y) => (w * x - y) * (w * x - y);

    [Differentiable] public static double FloatMix(double x) => (double)MathF.Sin((float)x) + x;

    // ---- one function per supported Math operation
    [Differentiable] public static double Exp(double x) => Math.Exp(x);
    [Differentiable] public static double Log(double x) => Math.Log(x);
    [Differentiable] public static double LogBase(double x, double b) => Math.Log(x, b);
    [Differentiable] public static double Log10(double x) => Math.Log10(x);
    [Differentiable] public static double Log2(double x) => Math.Log2(x);
    [Differentiable] public static double Sqrt(double x) => Math.Sqrt(x);
    [Differentiable] public static double Cbrt(double x) => Math.Cbrt(x);
    [Differentiable] public static double PowConstExponent(double x) => Math.Pow(x, 3.5);
    [Differentiable] public static double PowSquare(double x) => Math.Pow(x, 2);
    [Differentiable] public static double PowConstBase(double x) => Math.Pow(2.5, x);
    [Differentiable] public static double PowBoth(double x, double y) => Math.Pow(x, y);
    [Differentiable] public static double PowIntExponent(double x, int n) => Math.Pow(x, n);
    [Differentiable] public static double Sin(double x) => Math.Sin(x);
    [Differentiable] public static double Cos(double x) => Math.Cos(x);
    [Differentiable] public static double Tan(double x) => Math.Tan(x);
    [Differentiable] public static double Asin(double x) => Math.Asin(x);
    [Differentiable] public static double Acos(double x) => Math.Acos(x);
    [Differentiable] public static double Atan(double x) => Math.Atan(x);
    [Differentiable] public static double Atan2(double y, double x) => Math.Atan2(y, x);
    [Differentiable] public static double Sinh(double x) => Math.Sinh(x);
    [Differentiable] public static double Cosh(double x) => Math.Cosh(x);
    [Differentiable] public static double Tanh(double x) => Math.Tanh(x);
    [Differentiable] public static double Asinh(double x) => Math.Asinh(x);
    [Differentiable] public static double Acosh(double x) => Math.Acosh(x);
    [Differentiable] public static double Atanh(double x) => Math.Atanh(x);
    [Differentiable] public static double Abs(double x) => Math.Abs(x);
    [Differentiable] public static double Max(double x, double y) => Math.Max(x, y);
    [Differentiable] public static double Min(double x, double y) => Math.Min(x, y);
    [Differentiable] public static double Clamp(double x, double lo, double hi) => Math.Clamp(x, lo, hi);
    [Differentiable] public static double Fma(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);
    [Differentiable] public static double Hypot(double x, double y) => double.Hypot(x, y);
    [Differentiable] public static double StepFunctions(double x) => Math.Floor(x) + Math.Ceiling(x) + Math.Round(x) + Math.Truncate(x) + Math.Sign(x) + x;
    [Differentiable] public static double DoubleStatics(double x) => double.Exp(x) * double.Sin(x) + double.Sqrt(x * x + 1) + double.Pow(x, 2);
    [Differentiable] public static double MathFOnFloats(double x) => MathF.Tanh((float)x) * 2.0;

    // ---- control flow
    [Differentiable]
    public static double IfElse(double x, double y)
    {
        double r;
        if (x > y)
        {
            r = x * x;
        }
        else
        {
            r = y * y * y;
        }

        return r + x * y;
    }

    [Differentiable] public static double Ternary(double x) => x > 0 ? Math.Sin(x) : Math.Exp(x) - 1;

    [Differentiable]
    public static double NestedTernary(double x, double y) => x > 1 ? (y > 0 ? x * y : x) : (y > 0 ? y : x + y);

    [Differentiable]
    public static double EarlyReturns(double x)
    {
        if (x < -2)
        {
            return x * x;
        }

        double t = Math.Sin(x);
        if (x > 2)
        {
            return t * x;
        }

        t = t + x * x * x;
        return t;
    }

    [Differentiable]
    public static double NestedIfs(double x, double y)
    {
        double a = x;
        double b = y;
        if (x > 0)
        {
            if (y > 0)
            {
                a = x * y;
            }
            else
            {
                b = x - y;
            }

            a = a + b;
        }
        else if (y > x)
        {
            b = Math.Exp(x + y);
        }

        return a * b + a;
    }

    [Differentiable]
    public static double IfWithoutElse(double x)
    {
        double y = x;
        if (x < 1)
        {
            y = 2 * x - 1;
        }

        return y * y;
    }

    [Differentiable]
    public static double ConditionOnData(double x, [NoDerivative] double threshold, int mode)
    {
        double y = x;
        if (mode == 1 && threshold > 0 || x > 100)
        {
            y = x * threshold;
        }

        return y * x;
    }

    [Differentiable]
    public static double ConditionWithCall(double x)
    {
        double y = x * x;
        if (Math.Sin(x) > 0 && !double.IsNaN(x))
        {
            y = y + Math.Cos(x);
        }

        return y;
    }

    [Differentiable]
    public static double ThrowOnBadInput(double x)
    {
        if (x <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(x), "x must be positive");
        }

        return Math.Log(x) * x;
    }

    [Differentiable]
    public static double SmoothMaxOrMin(double x, double y, bool useMax) =>
        useMax ? Math.Log(Math.Exp(x) + Math.Exp(y)) : -Math.Log(Math.Exp(-x) + Math.Exp(-y));

    // ---- calls through generated gradients
    [Differentiable] public static double Inner(double a, double b) => a * Math.Exp(b);
    [Differentiable] public static double Outer(double x, double y) => Inner(x * y, x - y) + Inner(y, 1.0);
    [Differentiable] public static double CallOtherProject(double x, double y) => Shared.Sigmoid(x * y) + Shared.Norm2(x, y) + Shared.ScaledSquare(x, 3.0);
    [Differentiable] public static double CallTwice(double x) => Shared.Sigmoid(Shared.Sigmoid(x));
    [Differentiable] public static double CallWithBranchInCallee(double x) => Shared.SoftPlus(x) + Shared.SoftPlus(x * 40);
    [Differentiable] public static double CallOtherType(double x) => Models.Logistic(x, 2.0);
    [Differentiable] public static double CallInCondition(double x) => Shared.Sigmoid(x) > 0.5 ? x * x : -x;

    // ---- seed documents and test problems
    [Differentiable] public static double Parabola(double x) => (x - 3) * (x - 3);
    [Differentiable] public static double Circuit(double x, double y, double z) => (x + y) * z;
    [Differentiable] public static double SeedQuadratic(double v0, double v1) => v0 * v0 + 3 * v0 * v1;
    [Differentiable] public static double Bowl(double w, double b) => w * w + 4 * b * b;
    [Differentiable] public static double Rosenbrock(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    [Differentiable] public static double Himmelblau(double x, double y) => Math.Pow(x * x + y - 11, 2) + Math.Pow(x + y * y - 7, 2);
    [Differentiable] public static double Beale(double x, double y) =>
        Math.Pow(1.5 - x + x * y, 2) + Math.Pow(2.25 - x + x * y * y, 2) + Math.Pow(2.625 - x + x * y * y * y, 2);
    [Differentiable] public static double Booth(double x, double y) => (x + 2 * y - 7) * (x + 2 * y - 7) + (2 * x + y - 5) * (2 * x + y - 5);
    [Differentiable] public static double Matyas(double x, double y) => 0.26 * (x * x + y * y) - 0.48 * x * y;
    [Differentiable] public static double Ackley(double x, double y) =>
        -20 * Math.Exp(-0.2 * Math.Sqrt(0.5 * (x * x + y * y))) - Math.Exp(0.5 * (Math.Cos(2 * Math.PI * x) + Math.Cos(2 * Math.PI * y))) + Math.E + 20;
    [Differentiable] public static double LogisticLoss(double w, double b, [NoDerivative] double x, [NoDerivative] double label)
    {
        double z = w * x + b;
        double p = 1 / (1 + Math.Exp(-z));
        return -(label * Math.Log(p) + (1 - label) * Math.Log(1 - p));
    }

    [Differentiable]
    public static double Neuron(double w1, double w2, double b, [NoDerivative] double x1, [NoDerivative] double x2) =>
        Math.Tanh(w1 * x1 + w2 * x2 + b);

    [Differentiable]
    public static double Gaussian(double x, double mu, double sigma) =>
        Math.Exp(-0.5 * ((x - mu) / sigma) * ((x - mu) / sigma)) / (sigma * Math.Sqrt(2 * Math.PI));

    [Differentiable]
    public static double HuberLoss(double r, [NoDerivative] double delta)
    {
        double a = Math.Abs(r);
        if (a <= delta)
        {
            return 0.5 * r * r;
        }

        return delta * (a - 0.5 * delta);
    }

    [Differentiable]
    public static double SoftmaxCrossEntropy3(double z0, double z1, double z2, int label)
    {
        double m = Math.Max(z0, Math.Max(z1, z2));
        double lse = m + Math.Log(Math.Exp(z0 - m) + Math.Exp(z1 - m) + Math.Exp(z2 - m));
        double picked = label == 0 ? z0 : label == 1 ? z1 : z2;
        return lse - picked;
    }

    [Differentiable]
    public static double CommonSubexpressions(double x, double y)
    {
        double e = Math.Exp(x * y);
        double f = Math.Exp(x * y) + Math.Sin(x * y);
        return e * f + Math.Exp(x * y);
    }

    [Differentiable]
    public static double ManyLocals(double a, double b, double c, double d)
    {
        double u = a * b;
        double v = c * d;
        double w = u + v;
        double x = u * v;
        double y = Math.Sqrt(w * w + x * x);
        double z = y / (1 + Math.Abs(a - d));
        return z * Math.Cosh(b - c) + Math.Atan(u - v);
    }

    [Differentiable] public static double UnusedParameter(double x, double unused) => x * x;
    [Differentiable] public static double ConstantFunction(double x) => 42.0;
    [Differentiable] public static double DeadCode(double x) { double waste = Math.Exp(x) * 100; return x * 3; }
}

/// <summary>A second type: calls across types go through the callee's generated gradient.</summary>
public static partial class Models
{
    [Differentiable]
    public static double Logistic(double x, double k) => 1 / (1 + Math.Exp(-k * x));
}

/// <summary>Instance methods, fields read as constants, accessibility, nesting.</summary>
public partial class Regularized
{
    private readonly double _lambda;

    public Regularized(double lambda) => _lambda = lambda;

    public double Lambda => _lambda;

    [Differentiable]
    public double Loss(double w, double b) => (w - 1) * (w - 1) + (b + 2) * (b + 2) + _lambda * (w * w + b * b) + Lambda * Penalty(w);

    [Differentiable]
    private double Penalty(double w) => Math.Abs(w) + 0.5 * w * w;

    internal double PenaltyGradientFor(double w)
    {
        PenaltyGradient(w, out double dW);
        return dW;
    }

    public partial struct Inner
    {
        public double K;

        [Differentiable]
        internal double Scaled(double x) => K * x * x;

        [Differentiable]
        internal static double StaticInStruct(double x) => Math.Sin(x) * x;
    }
}
