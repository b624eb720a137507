namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>More shapes a C# user could legally write: model classes, float and generic arrays, helpers that return arrays, odd loops.</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Mixed()
    {
        yield return G("GenericOverloadWithAnUnusedTypeParameter", """
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double F<T>(double x) => x * x * x;
            """, note: "issue 8 §3: F(double) and F<T>(double) (CS8785 before)") with
        {
            Targets = [new Target { Signature = "double", Closed = x => [2 * x[0]] }, new Target { Method = "F", TypeArguments = "string", Signature = "double", Closed = x => [3 * x[0] * x[0]] }],
        };
        yield return G("InstanceMethodReadingDataArraysInFields", """
                private readonly double[] _xs = { 0.5, 1.5, -1.0 };
                private readonly double[] _ys = { 1.0, 2.0, 0.5 };
                [Differentiable] public double F(double w, double b)
                {
                    double s = 0;
                    for (int i = 0; i < _xs.Length; i++)
                    {
                        double r = w * _xs[i] + b - _ys[i];
                        s += r * r;
                    }

                    return s / _xs.Length;
                }
            """, note: "a model class holding its data in fields") with
        {
            Wrapper = "public partial class C",
            Targets = [new Target
            {
                Instance = "new global::$NS.C()",
                Closed = x =>
                {
                    double[] xs = [0.5, 1.5, -1.0], ys = [1.0, 2.0, 0.5];
                    double gw = 0, gb = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        double r = x[0] * xs[i] + x[1] - ys[i];
                        gw += 2 * r * xs[i] / 3;
                        gb += 2 * r / 3;
                    }

                    return [gw, gb];
                },
            }],
        };
        yield return G("FloatArrayParameter", """
                [Differentiable] public static float F(float[] x, float s) => x[0] * x[1] * s + x[2];
            """, x => [x[1] * x[3], x[0] * x[3], 1, x[0] * x[1]], "float arrays");
        yield return G("GenericMathSpanParameter", """
                [Differentiable] public static T F<T>(ReadOnlySpan<T> x) where T : System.Numerics.IFloatingPointIeee754<T>
                {
                    T s = T.Zero;
                    for (int i = 0; i < x.Length; i++) s += x[i] * x[i] * T.CreateChecked(i + 1);
                    return s;
                }
            """, note: "generic math over a span") with { Targets = [new Target { TypeArguments = "double", Closed = x => [2 * x[0], 4 * x[1], 6 * x[2]] }] };
        yield return G("GenericMethodInAGenericClass", Usings + "namespace $NS;\n" + """
                public static partial class Box<TTag>
                {
                    [Differentiable] public static T F<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> => T.Sin(x) * T.CreateChecked(typeof(TTag).Name.Length);
                }
                """, note: "generic method in a generic class") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Box<int>", TypeArguments = "double", Closed = x => [5 * Math.Cos(x[0])] }],
        };
        yield return G("HelperReturningANewArray", """
                static double[] Powers(double x, int n)
                {
                    var p = new double[n];
                    p[0] = x;
                    for (int i = 1; i < n; i++) p[i] = p[i - 1] * x;
                    return p;
                }
                [Differentiable] public static double F(double x)
                {
                    var p = Powers(x, 3);
                    return p[0] + p[1] + p[2];
                }
            """, x => [1 + 2 * x[0] + 3 * x[0] * x[0]], "issue 9: a helper that returns a new array");
        yield return G("CallChainWithArraysAndData", """
                [Differentiable] public static double Dot(ReadOnlySpan<double> a, [NoDerivative] ReadOnlySpan<double> b)
                {
                    double s = 0;
                    for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
                    return s;
                }

                [Differentiable] public static double F(double[] w, [NoDerivative] double[] xs) => Math.Exp(Dot(w, xs)) + Dot(xs, xs) * w[0];
            """, note: "calls between [Differentiable] methods, arrays and data") with
        {
            Targets = [new Target
            {
                Low = -0.5, High = 0.5,
                Closed = x =>
                {
                    double[] xs = [0.5, -1.25, 2.0];
                    double e = Math.Exp(x[0] * xs[0] + x[1] * xs[1] + x[2] * xs[2]);
                    return [e * xs[0] + xs.Sum(v => v * v), e * xs[1], e * xs[2]];
                },
            }],
        };
        yield return G("ReverseLoopByTwosWithContinue", """
                [Differentiable] public static double F(double[] x)
                {
                    double s = 0;
                    for (int i = x.Length - 1; i >= 0; i -= 2)
                    {
                        if (x[i] < 0) continue;
                        s += Math.Pow(x[i], i + 1);
                    }

                    foreach (var v in x)
                    {
                        if (v > 100) continue;
                        s += v;
                    }

                    return s;
                }
            """, note: "a reverse loop by twos, continue in for and foreach") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["x"] = 4 }, Closed = x => [1, 2 * x[1] + 1, 1, 4 * Math.Pow(x[3], 3) + 1] }],
        };
        yield return G("OverflowToInfinity", """
                [Differentiable] public static double F(double x) => Math.Exp(x * 500) + x;
            """, note: "a value that overflows to ∞: the gradient method returns the same ∞") with
        {
            Targets = [new Target { Low = -0.1, High = 0.1, Closed = x => [500 * Math.Exp(x[0] * 500) + 1], NonFiniteAt = [[2.0], [10.0]] }],
        };
        yield return G("SpecialConstants", """
                [Differentiable] public static double F(double x) => x + double.Epsilon + Math.Min(x, double.MaxValue) + x * Math.E * Math.Tau;
            """, x => [1 + 1 + Math.E * Math.Tau], "double.Epsilon, MaxValue, Math.E, Math.Tau");
        yield return E("PropertyNamedLikeTheGradient", "SG0030", """
                public static double [|FGradient|] => 0;
                [Differentiable] public static double F(double x) => x * x;
            """, "FGradient", "property") with { Note = "members named like generated members" };
        yield return E("NestedTypeNamedLikeTheObjective", "SG0030", """
                public static class [|FObjective|] { }
                [Differentiable] public static double F(double x) => x * x;
            """, "FObjective", "type") with { Note = "members named like generated members" };
        yield return G("NoDerivativeStructParameter", Usings + "namespace $NS;\n" + """
                public readonly record struct Settings(double Scale, int Power);
                public static partial class C
                {
                    [Differentiable] public static double F(double x, [NoDerivative] Settings s) => s.Scale * Math.Pow(x, s.Power);
                }
                """, note: "a struct parameter marked [NoDerivative] is data") with
        {
            WholeFile = true,
            Targets = [new Target { Data = new Dictionary<string, string> { ["s"] = "new global::$NS.Settings(2.0, 3)" }, Closed = x => [6 * x[0] * x[0]] }],
        };
        yield return G("ConditionalOnTheValueWithThrowInOneBranch", """
                [Differentiable] public static double F(double x) => x < 2 ? x * x : x > 5 ? throw new ArgumentOutOfRangeException(nameof(x)) : x;
            """, x => [2 * x[0]], "a ?: with a throw in a nested branch") with
        {
            Targets = [new Target { Closed = x => [2 * x[0]], ThrowsAt = [[6.0]] }],
        };
        yield return G("StaticFieldArrayOfCoefficients", """
                private static readonly double[] Coefficients = { 1.0, -0.5, 0.25, -0.125 };
                [Differentiable] public static double F(double x)
                {
                    double p = 0;
                    for (int i = Coefficients.Length - 1; i >= 0; i--) p = p * x + Coefficients[i];
                    return p;
                }
            """, x => [-0.5 + 0.5 * x[0] - 0.375 * x[0] * x[0]], "a static readonly array of coefficients (Horner)");
        yield return G("WhileOnTheValueWithAnIntegerGuard", """
                [Differentiable] public static double F(double x)
                {
                    double y = x;
                    int steps = 0;
                    while (y > 0.01 && steps < 50)
                    {
                        y = y * y * 0.5;
                        steps++;
                    }

                    return y + steps * x;
                }
            """, note: "a while loop whose trip count depends on the value") with { Targets = [new Target { Points = [[0.9], [1.2]] }] };
    }
}
