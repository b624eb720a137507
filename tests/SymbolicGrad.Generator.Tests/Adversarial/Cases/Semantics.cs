namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>
/// C# semantics a lowering can get subtly wrong: value vs reference copies, aliasing, mutation through methods and
/// closures, defensive copies, evaluation order, conventions at kinks. Each must be exact (or refused at the node).
/// </summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Semantics()
    {
        const string Copy = "value vs reference semantics";

        yield return G("StructCopyIsIndependent", Usings + "namespace $NS;\n" + """
                public struct P { public double X; public double Y; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var s = new P { X = x, Y = 1 };
                        var t = s;
                        t.X = x * x;
                        s.Y = 3;
                        return s.X * t.X + t.Y * s.Y;
                    }
                }
                """, x => [3 * x[0] * x[0]], Copy + ": a struct copy is a copy") with { WholeFile = true };
        yield return G("LocalArrayAliasSharesElements", """
                [Differentiable] public static double F(double x)
                {
                    var a = new double[2];
                    var b = a;
                    b[0] = x;
                    a[1] = x * x;
                    return a[0] * b[1];
                }
            """, x => [3 * x[0] * x[0]], Copy + ": two names for one array");
        yield return G("ArrayOfStructs", Usings + "namespace $NS;\n" + """
                public struct P { public double X; public double Y; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var ps = new P[2];
                        ps[0].X = x;
                        ps[1].Y = 3 * ps[0].X;
                        return ps[0].X * ps[1].Y;
                    }
                }
                """, x => [6 * x[0]], Copy + ": arrays of structs of numbers (one array per member, rt-adbench)") with { WholeFile = true };
        yield return E("ArrayOfStructsWithAString", "SG0006", Usings + "namespace $NS;\n" + """
                public struct P { public double X; public string Name; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var ps = [|new P[2]|];
                        ps[0].X = x;
                        return ps[0].X * x;
                    }
                }
                """, "array", "not a number", "double") with { WholeFile = true, Note = Copy + ": arrays of structs with a member that is not a number (refused, with a rewrite)" };
        yield return G("MutatingStructMethodOnALocal", Usings + "namespace $NS;\n" + """
                public struct Acc
                {
                    public double S;
                    public void Add(double v) { S += v; }
                    public readonly double Twice() => 2 * S;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var a = new Acc();
                        a.Add(x);
                        a.Add(x * x);
                        return a.Twice() * x;
                    }
                }
                """, x => [4 * x[0] + 6 * x[0] * x[0]], Copy + ": a mutating struct method on a local") with { WholeFile = true };
        yield return G("DefensiveCopyThroughAnInParameter", Usings + "namespace $NS;\n" + """
                public struct Acc
                {
                    public double S;
                    public void Add(double v) { S += v; }
                }
                public static partial class C
                {
                    static double Peek(in Acc a, double v)
                    {
                        a.Add(v);
                        return a.S;
                    }

                    [Differentiable] public static double F(double x)
                    {
                        var a = new Acc { S = x };
                        return Peek(in a, x * x) * x;
                    }
                }
                """, x => [2 * x[0]], Copy + ": a mutating call on an in parameter mutates a defensive copy (a.S stays x)") with
        {
            WholeFile = true,
            InputWarnings = ["CS8656"],
        };
        yield return G("TupleElementMutation", """
                [Differentiable] public static double F(double x)
                {
                    var t = (x, 1.0);
                    t.Item2 = x * x;
                    var u = t;
                    u.Item1 = 0;
                    return t.Item1 * t.Item2 + u.Item1;
                }
            """, x => [3 * x[0] * x[0]], Copy + ": tuples are values");
        yield return G("HelperWritesIntoALocalArray", """
                static void Fill(double[] a, double v)
                {
                    for (int i = 0; i < a.Length; i++) a[i] = v * (i + 1);
                }

                [Differentiable] public static double F(double x)
                {
                    var a = new double[3];
                    Fill(a, x);
                    return a[0] * a[2];
                }
            """, x => [6 * x[0]], Copy + ": a helper writes into the caller's local array");
        yield return G("HelperWithARefParameter", """
                static void Scale(ref double v, double k) => v *= k;
                [Differentiable] public static double F(double x)
                {
                    double y = x;
                    Scale(ref y, x);
                    Scale(ref y, 2);
                    return y;
                }
            """, x => [4 * x[0]], Copy + ": a helper with a ref parameter");
        yield return G("LocalFunctionMutatingACapturedLocal", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    void Add(double v) => s += v;
                    Add(x);
                    Add(x * x);
                    Add(s);
                    return s;
                }
            """, x => [2 + 4 * x[0]], "closures: a local function that writes a captured local");
        yield return G("LambdaMutatingACapturedLocal", """
                [Differentiable] public static double F(double x)
                {
                    double p = 1;
                    Action times = () => p *= x;
                    times();
                    times();
                    return p;
                }
            """, x => [2 * x[0]], "closures: a lambda that writes a captured local");
        yield return E("ArrayOfDelegates", "SG0006", """
                [Differentiable] public static double F(double x)
                {
                    var fs = [|new Func<double, double>[3]|];
                    for (int i = 0; i < 3; i++)
                    {
                        int k = i + 1;
                        fs[i] = v => v * k;
                    }

                    double s = 0;
                    foreach (var f in fs) s += f(x * x);
                    return s;
                }
            """, "array", "double") with { Note = "closures in an array (refused, with a rewrite)" };
        yield return G("EvaluationOrderWithSideEffects", """
                [Differentiable] public static double F(double x)
                {
                    var a = new double[3];
                    int i = 0;
                    a[i++] = x;
                    a[i++] += x * x;
                    a[i] = a[i - 1] * a[i - 2];
                    double y = x;
                    double z = y++ * y;
                    return a[2] + z;
                }
            """, x => [3 * x[0] * x[0] + 2 * x[0] + 1], "evaluation order: i++ in an index, a postfix increment's old value");
        yield return G("ShortCircuitSkipsTheRightSide", """
                [Differentiable] public static double F(double x, double[] w)
                {
                    int n = 0;
                    bool big = x > 10 && w[n++] > 0;
                    return x * w[n] + (big ? 1 : 0);
                }
            """, x => [x[1], x[0], 0, 0], "evaluation order: && skips its right side (n stays 0)");
        yield return G("AssignmentInsideAnExpression", """
                [Differentiable] public static double F(double x)
                {
                    double y;
                    double z = 1 + (y = x * 2);
                    return z * y;
                }
            """, x => [8 * x[0] + 2], "an assignment used as a value");
        yield return G("ForBoundChangedInsideTheLoop", """
                [Differentiable] public static double F(double x)
                {
                    int n = 2;
                    double s = 0;
                    for (int i = 0; i < n; i++)
                    {
                        s += x * i;
                        if (i == 1) n = 5;
                    }

                    return s * x;
                }
            """, x => [20 * x[0]], "a loop bound written inside the loop");
        yield return G("ForeachOverALocalArrayWrittenDuringTheLoop", """
                [Differentiable] public static double F(double x)
                {
                    var a = new double[3];
                    a[0] = x;
                    double s = 0;
                    int i = 0;
                    foreach (var v in a)
                    {
                        if (i + 1 < a.Length) a[i + 1] = v * x;
                        s += v;
                        i++;
                    }

                    return s;
                }
            """, x => [1 + 2 * x[0] + 3 * x[0] * x[0]], "foreach reads the current elements of an array written during the loop");
        yield return G("MaxOfEqualArgumentsConvention", """
                [Differentiable] public static double F(double x) => Math.Max(x, x) + Math.Min(2 * x, x + x) + Math.Abs(x - x);
            """, x => [1 + 2 + 0], "conventions at kinks: Max(x, x) has derivative 1, Abs at 0 has 0 (README)") with
        {
            Targets = [new Target { Closed = x => [3], Points = [[0.5], [1.5]] }],
        };
        yield return G("FloatLocalsInADoubleMethod", """
                [Differentiable] public static double F(double x)
                {
                    float f = (float)x;
                    float g = MathF.Sin(f) * f;
                    return g * 2.0;
                }
            """, x => [2 * (Math.Cos(x[0]) * x[0] + Math.Sin(x[0]))], "float locals in a double method") with
        {
            Targets = [new Target { FloatPrecision = true, Closed = null }],
        };
        yield return G("CheckedConversionThrowsTheSame", """
                [Differentiable] public static double F(double x)
                {
                    int k = checked((int)(x * 1e9));
                    return (k / 1000000000) * x + x * x;
                }
            """, note: "checked conversion: the gradient method throws OverflowException where the method does") with
        {
            Targets = [new Target { Low = 0.35, High = 1.65, ThrowsAt = [[3.0], [1e10]] }],
        };
        yield return G("IntegerDivisionAndModuloOnData", """
                [Differentiable] public static double F(double x, int n) => (n / 2) * x + (n % 2) * x * x + (double)n / 2 * x;
            """, x => [1 + 2 * x[0] + 1.5], "integer division") with { Targets = [new Target { Closed = x => [1 + 2 * x[0] + 1.5] }] };
        yield return G("StructPropertyWithAComputedGetter", Usings + "namespace $NS;\n" + """
                public readonly struct Vec
                {
                    public Vec(double x, double y) { X = x; Y = y; }
                    public double X { get; }
                    public double Y { get; }
                    public double Norm => Math.Sqrt(X * X + Y * Y);
                    public double this[int i] => i == 0 ? X : Y;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var v = new Vec(x, y);
                        return v.Norm + v[1] * v[0];
                    }
                }
                """, x => [x[0] / Math.Sqrt(x[0] * x[0] + x[1] * x[1]) + x[1], x[1] / Math.Sqrt(x[0] * x[0] + x[1] * x[1]) + x[0]], "issue 9: a computed property and an indexer of a struct") with { WholeFile = true };
        yield return G("ThisPassedToAHelperFromAStructMethod", Usings + "namespace $NS;\n" + """
                public readonly partial struct Line
                {
                    public readonly double Slope;
                    public Line(double slope) { Slope = slope; }
                    static double Eval(Line l, double x) => l.Slope * x;
                    [Differentiable] public double F(double x) => Eval(this, x) * x;
                }
                """, note: "this in structs, passed to a helper") with
        {
            WholeFile = true,
            Targets = [new Target { Host = "$NS.Line", Instance = "new global::$NS.Line(1.5)", Closed = x => [3 * x[0]] }],
        };
        yield return G("GenericHelperWithMathConstraints", """
                static T Softplus<T>(T v) where T : System.Numerics.IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(v));
                static T Sq<T>(T v) where T : System.Numerics.INumber<T> => v * v;
                [Differentiable] public static double F(double x) => Softplus(x) + Sq(x) + Sq(3);
            """, x => [1 / (1 + Math.Exp(-x[0])) + 2 * x[0]], "generic helpers called at double");
        yield return G("HelperOverloadsByType", """
                static double Sq(double v) => v * v;
                static float Sq(float v) => v * v * v;
                static double Sq(double v, double w) => v * w;
                [Differentiable] public static double F(double x) => Sq(x) + Sq(x, 3) + Sq(2f);
            """, x => [2 * x[0] + 3], "helper overloads");
        yield return G("ParamsSpanHelper", """
                static double SumSq(params ReadOnlySpan<double> v) { double s = 0; for (int i = 0; i < v.Length; i++) s += v[i] * v[i]; return s; }
                [Differentiable] public static double F(double x, double y) => SumSq(x, y, x * y);
            """, x => [2 * x[0] + 2 * x[0] * x[1] * x[1], 2 * x[1] + 2 * x[1] * x[0] * x[0]], "params ReadOnlySpan (C# 13)") with
        {
            Language = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp13,
        };
        yield return G("CollectionExpressionToASpanHelper", """
                static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
                [Differentiable] public static double F(double x, double y) => Dot([x, y], [1.0, 2.0]) * x;
            """, x => [2 * x[0] + 2 * x[1], 2 * x[0]], "issue 9: collection expressions passed to a span parameter");
        yield return G("StackallocWithInitializer", """
                [Differentiable] public static double F(double x)
                {
                    Span<double> s = stackalloc double[] { x, 1, x * x };
                    return s[0] * s[2] + s[1];
                }
            """, x => [3 * x[0] * x[0]], "stackalloc with an initializer");
        yield return G("ListOfDoublesBuiltInALoop", """
                [Differentiable] public static double F(double x)
                {
                    var list = new List<double>();
                    for (int i = 1; i <= 3; i++) list.Add(Math.Pow(x, i));
                    return list.Sum() + list[1] * list.Count;
                }
            """, x => [1 + 2 * x[0] + 3 * x[0] * x[0] + 6 * x[0]], "issue 9: lists");
        yield return G("LocalFunctionCalledBeforeItsDeclaration", """
                [Differentiable] public static double F(double x)
                {
                    double r = Twice(x) * x;
                    return r;

                    double Twice(double v) => v + v;
                }
            """, x => [4 * x[0]], "a local function used before its declaration");
        yield return G("RecursiveHelperOnDataOnly", """
                static int Fact(int k) => k <= 1 ? 1 : k * Fact(k - 1);
                [Differentiable] public static double F(double x, int n) => x * x * Fact(n);
            """, x => [12 * x[0]], "issue 9 §1.2: a recursive helper whose arguments are data needs no derivative");
        yield return G("DefaultParameterFromAConstField", """
                private const double Rate = 0.25;
                static double Decay(double v, double rate = Rate * 2) => v * (1 - rate);
                [Differentiable] public static double F(double x) => Decay(x) * x;
            """, x => [x[0]], "a default parameter value from a const");
        yield return G("DoubleParseAndDecimalConstants", """
                [Differentiable] public static double F(double x) => double.Parse("1.5", System.Globalization.CultureInfo.InvariantCulture) * x + (double)0.1m * x * x;
            """, x => [1.5 + 2 * (double)0.1m * x[0]], "data from parsing and decimals");
    }
}
