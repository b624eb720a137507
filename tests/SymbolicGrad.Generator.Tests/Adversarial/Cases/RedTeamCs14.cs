using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>
/// Red team rt-cs14: unusual-but-legal C# 12–14 a curious user writes inside a loss (extension blocks, the
/// <c>field</c> keyword, null-conditional assignment, user-defined and checked operators, conversions, generic math,
/// patterns on differentiated values, ref-ness of parameters, spans and ranges, piecewise-constant indices). Every case
/// compiles as C# 14 (<c>LanguageVersion.Preview</c>), whatever SYMBOLICGRAD_LANGVERSION says.
/// </summary>
public static partial class AdversarialCases
{
    private const string Cs14 = "red team rt-cs14";

    private static AdversarialCase P(AdversarialCase c) => c with { Language = LanguageVersion.Preview, Note = c.Note ?? Cs14 };

    private static IEnumerable<AdversarialCase> RedTeamCs14() => RedTeamCs14Raw().Select(P);

    private static IEnumerable<AdversarialCase> RedTeamCs14Raw()
    {
        // ---- C# 14 extension blocks ----
        yield return G("Cs14ExtensionPropertyOnASpanInALoop", Usings + """
                namespace $NS;
                public static class SpanExtensions
                {
                    extension(ReadOnlySpan<double> s)
                    {
                        public double SquaredNorm { get { double t = 0; foreach (var e in s) t += e * e; return t; } }
                        public double At(int i) => s[i];
                    }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double[] w)
                    {
                        double loss = 0;
                        for (int i = 0; i < 2; i++) loss += ((ReadOnlySpan<double>)w).At(i) * w.AsSpan(i).SquaredNorm;
                        return loss;
                    }
                }
                """) with { WholeFile = true };
        yield return G("Cs14StaticExtensionMemberOnDouble", Usings + """
                namespace $NS;
                public static class DoubleExtensions
                {
                    extension(double)
                    {
                        public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));
                        public static double Two => 2.0;
                    }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x) => double.Softplus(x) * double.Two;
                }
                """, x => [2 / (1 + Math.Exp(-x[0]))]) with { WholeFile = true };
        yield return G("Cs14GenericExtensionBlock", Usings + """
                namespace $NS;
                public static class GenericExtensions
                {
                    extension<T>(T v) where T : System.Numerics.INumber<T>
                    {
                        public T Sq() => v * v;
                        public T Twice => v + v;
                    }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y) => x.Sq() * y.Twice;
                }
                """, x => [4 * x[0] * x[1], 2 * x[0] * x[0]]) with { WholeFile = true };
        yield return G("Cs14ExtensionMethodMutatingASpan", Usings + """
                namespace $NS;
                public static class SpanExtensions
                {
                    extension(Span<double> s)
                    {
                        public void ScaleBy(double k) { for (int i = 0; i < s.Length; i++) s[i] *= k; }
                    }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var a = new[] { x, y, x * y };
                        a.AsSpan(1).ScaleBy(x);
                        return a[0] + a[1] + a[2];
                    }
                }
                """, x => [1 + x[1] + 2 * x[0] * x[1], x[0] + x[0] * x[0]]) with { WholeFile = true };

        // ---- the field keyword, null-conditional assignment, C# 14 compound operators ----
        yield return G("Cs14FieldKeywordInGetterAndInit", Usings + """
                namespace $NS;
                public struct Scaled
                {
                    public double Value { get => field * 2; init => field = value + 1; }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var s = new Scaled { Value = x * x };
                        return s.Value * x;
                    }
                }
                """, x => [6 * x[0] * x[0] + 2]) with { WholeFile = true };
        yield return G("Cs14FieldKeywordWithACoalesce", Usings + """
                namespace $NS;
                public struct Lazy
                {
                    public double? Cached { get => field ?? 0.5; set => field = value; }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var l = new Lazy();
                        double a = l.Cached!.Value;
                        l.Cached = x * 3;
                        return a * x + l.Cached.Value * x;
                    }
                }
                """, x => [0.5 + 6 * x[0]]) with { WholeFile = true };
        yield return G("Cs14NullConditionalAssignmentToALocalArray", """
                [Differentiable] public static double F(double x, double y)
                {
                    double[]? a = new double[2];
                    double[]? b = null;
                    a?[0] = x * y;
                    b?[0] = x;
                    a?[1] += y;
                    return a![0] * a[1] + (b is null ? x : 0);
                }
            """, x => [x[1] * x[1] + 1, 2 * x[0] * x[1]]);
        yield return G("Cs14NullConditionalAssignmentInAStructMember", Usings + """
                namespace $NS;
                public struct Box { public double[]? Items; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var b = new Box { Items = new double[1] };
                        b.Items?[0] = x * x;
                        return b.Items![0] * x;
                    }
                }
                """, x => [3 * x[0] * x[0]]) with { WholeFile = true };
        yield return G("CheckedUserDefinedOperator", Usings + """
                namespace $NS;
                public readonly struct M
                {
                    public readonly double V;
                    public M(double v) { V = v; }
                    public static M operator +(M a, M b) => new M(a.V + b.V);
                    public static M operator checked +(M a, M b) => double.IsFinite(a.V + b.V) ? new M(a.V + b.V) : throw new OverflowException("not finite");
                    public static M operator -(M a) => new M(-a.V);
                    public static M operator checked -(M a) => new M(-2 * a.V);
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var a = new M(x);
                        var b = new M(y * y);
                        M u = unchecked(a + b);
                        M c = checked(a + b);
                        M n = checked(-a);
                        return u.V * c.V + n.V * y;
                    }
                }
                """, x => [2 * (x[0] + x[1] * x[1]) - 2 * x[1], 4 * x[1] * (x[0] + x[1] * x[1]) - 2 * x[0]]) with { WholeFile = true };
        yield return G("ImplicitAndExplicitConversionsOfAUserStruct", Usings + """
                namespace $NS;
                public struct Meters
                {
                    public double V;
                    public static implicit operator Meters(double v) => new Meters { V = v };
                    public static explicit operator double(Meters m) => m.V;
                    public static explicit operator Feet(Meters m) => new Feet { V = m.V * 3.28 };
                }
                public struct Feet { public double V; }
                public static partial class C
                {
                    static double Len(Meters m) => m.V * m.V;
                    [Differentiable] public static double F(double x)
                    {
                        Meters m = x * 2;
                        Feet f = (Feet)m;
                        return (double)m * f.V + Len(x);
                    }
                }
                """, x => [4 * 3.28 * 2 * x[0] + 2 * x[0]]) with { WholeFile = true };
        yield return G("UserStructComparisonAndTrueFalseOperators", Usings + """
                namespace $NS;
                public struct Q
                {
                    public double V;
                    public static bool operator >(Q a, Q b) => a.V > b.V;
                    public static bool operator <(Q a, Q b) => a.V < b.V;
                    public static bool operator true(Q a) => a.V > 1;
                    public static bool operator false(Q a) => a.V <= 1;
                    public static Q operator &(Q a, Q b) => new Q { V = a.V * b.V };
                    public static Q operator |(Q a, Q b) => new Q { V = a.V + 2 * b.V };
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var a = new Q { V = x };
                        var b = new Q { V = y };
                        var c = a && b;
                        var d = b || a;
                        double r = a > b ? x * 3 : y * 5;
                        if (d) r += x * y;
                        return c.V + d.V * x + r;
                    }
                }
                """) with
                {
                    WholeFile = true,
                    Targets = [new Target { Points = [[0.5, 0.7], [1.5, 0.4], [1.3, 1.2], [0.8, 1.4]], Closed = x =>
                    {
                        double cv = x[0] <= 1 ? x[0] : x[0] * x[1], dcx = x[0] <= 1 ? 1 : x[1], dcy = x[0] <= 1 ? 0 : x[0];
                        double dv = x[1] > 1 ? x[1] : x[1] + 2 * x[0], ddx = x[1] > 1 ? 0 : 2, ddy = 1;
                        bool dTrue = dv > 1;
                        double rx = (x[0] > x[1] ? 3 : 0) + (dTrue ? x[1] : 0), ry = (x[0] > x[1] ? 0 : 5) + (dTrue ? x[0] : 0);
                        return [dcx + ddx * x[0] + dv + rx, dcy + ddy * x[0] + ry];
                    } }],
                };
        yield return G("OperatorOnARecordStruct", Usings + """
                namespace $NS;
                public readonly record struct Dual(double Re, double Eps)
                {
                    public static Dual operator *(Dual a, Dual b) => new(a.Re * b.Re, a.Re * b.Eps + a.Eps * b.Re);
                    public static Dual operator +(Dual a, double b) => a with { Re = a.Re + b };
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var d = new Dual(x, y);
                        var e = d * d + 1;
                        return e.Re + e.Eps;
                    }
                }
                """, x => [2 * x[0] + 2 * x[1], 2 * x[0]]) with { WholeFile = true };

        // ---- generic math ----
        yield return G("ClampWithDifferentiatedBounds", """
                [Differentiable] public static double F(double x, double lo, double hi) => double.Clamp(x, lo, lo + hi) * x + Math.Clamp(x * 2, lo, 10);
            """) with { Targets = [new Target { Points = [[0.5, 0.7, 0.4], [1.0, 0.2, 0.5], [0.9, 0.1, 2.0]] }] };
        yield return G("ClampWithCrossedBoundsThrows", """
                [Differentiable] public static double F(double x, double lo) => Math.Clamp(x, lo, 1.0) * x;
            """) with { Targets = [new Target { Points = [[0.5, 0.2], [0.1, 0.3]], ThrowsAt = [[0.5, 1.5]] }] };
        yield return G("CopySignWithADifferentiatedSign", """
                [Differentiable] public static double F(double x, double y) => double.CopySign(x * x, y - 1) + Math.CopySign(y, x);
            """, x => [Math.Sign(x[1] - 1) * 2 * x[0], 1]);
        yield return G("LerpOfGenericMath", """
                [Differentiable] public static double F(double a, double b, double t) => double.Lerp(a, b, t) * a;
            """);
        yield return G("DegreesToRadiansAndBack", """
                [Differentiable] public static double F(double x) => Math.Sin(double.DegreesToRadians(x * 90)) + double.RadiansToDegrees(x) / 100;
            """, x => [Math.Cos(x[0] * Math.PI / 2) * Math.PI / 2 + 180 / Math.PI / 100]);
        yield return G("RootNAndExp10AndLogWithDifferentiatedBase", """
                [Differentiable] public static double F(double x, double b) => double.RootN(x, 3) + double.Exp10(x) / 100 + double.Exp2(x) + Math.Log(x, b + 1);
            """);
        yield return G("IeeeRemainderOnDifferentiatedValues", """
                [Differentiable] public static double F(double x, double y) => Math.IEEERemainder(x * 3, y) + double.Ieee754Remainder(x, 0.25);
            """);
        yield return G("ScaleBWithAnIndexFromData", """
                [Differentiable] public static double F(double x, [NoDerivative] int[] e) => Math.ScaleB(x, e[0]) + double.ScaleB(x * x, e.Length - 4);
            """) with { Targets = [new Target { Data = new Dictionary<string, string> { ["e"] = "new[] { 3, 1 }" }, Closed = x => [8 + 2 * x[0] / 4] }] };
        yield return G("HypotOfThreeWays", """
                [Differentiable] public static double F(double x, double y) => double.Hypot(x, y) + Math.Sqrt(Math.FusedMultiplyAdd(x, x, y * y)) + double.Hypot(x, 0.0);
            """, x => [2 * x[0] / Math.Sqrt(x[0] * x[0] + x[1] * x[1]) + 1, 2 * x[1] / Math.Sqrt(x[0] * x[0] + x[1] * x[1])]);
        yield return G("GenericMathMethodWithCreateAndClamp", """
                [Differentiable] public static T F<T>(T x, T y) where T : System.Numerics.IFloatingPointIeee754<T>
                    => T.Clamp(x, T.CreateChecked(0.25), T.One) * T.MaxMagnitude(x, -y) + T.CreateTruncating(2.5) * T.Hypot(x, y) + T.Lerp(x, y, T.CreateChecked(0.25));
            """) with { Targets = [new Target { TypeArguments = "double" }] };
        yield return G("GenericMathMultiplyAddEstimateAndReciprocal", """
                [Differentiable] public static double F(double x, double y) => double.FusedMultiplyAdd(x, y, 1) * double.ReciprocalEstimate(2.0) + 1 / x;
            """);
        yield return G("BitConverterOnTheValueInABranch", """
                [Differentiable] public static double F(double x)
                {
                    long bits = BitConverter.DoubleToInt64Bits(x);
                    return bits > BitConverter.DoubleToInt64Bits(1.0) ? x * x : 3 * x;
                }
            """, x => [x[0] > 1 ? 2 * x[0] : 3]);
        yield return G("IsNaNAndIsFiniteBranchesOnAComputedValue", """
                [Differentiable] public static double F(double x, double y)
                {
                    double r = Math.Log(x - y);
                    if (double.IsNaN(r)) r = 0;
                    if (!double.IsFinite(r) || double.IsNegative(r)) r = (x - y) * (x - y);
                    return r + x;
                }
            """) with { Targets = [new Target { Points = [[0.5, 1.5], [3.5, 1.0], [1.2, 0.9]] }] };

        // ---- patterns and switches on differentiated values ----
        yield return G("SwitchExpressionWithListPatternsAndGuards", """
                [Differentiable] public static double F(double[] w) => w switch
                {
                    [var a, var b, var c] when a > b => a * b * c,
                    [var a, .., var c] => a + c * c,
                    _ => 0,
                };
            """) with { Targets = [new Target { Points = [[1.5, 0.5, 2.0], [0.5, 1.5, 2.0]] }] };
        yield return G("TupleSwitchWithRelationalPatternsAndGuards", """
                [Differentiable] public static double F(double x, double y) => (x, y) switch
                {
                    (> 1, _) when x > y => x * y,
                    (_, < 1) => y * y,
                    ( >= 0.5 and <= 1, var q) => q * x,
                    _ => x,
                };
            """) with { Targets = [new Target { Points = [[1.5, 0.5], [1.2, 1.4], [0.7, 1.3], [0.2, 1.3]] }] };
        yield return G("ConstantPatternsNaNAndInfinity", """
                [Differentiable] public static double F(double x)
                {
                    double r = 1 / (x - 1) * 0 + x;
                    return r switch
                    {
                        double.NaN => 0,
                        double.PositiveInfinity => 1,
                        < 1 => r * r,
                        _ => 3 * r,
                    };
                }
            """, x => [x[0] < 1 ? 2 * x[0] : 3]);
        yield return G("IsVarOnAComputedValue", """
                [Differentiable] public static double F(double x, double y)
                {
                    if (x * x is var q && q > 0.5) return q * y;
                    return y is var z and > 1 ? z * x : x;
                }
            """);
        yield return G("SwitchStatementWithTypeAndRelationalCases", """
                [Differentiable] public static double F(double x, double y)
                {
                    double s = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        switch (x * i)
                        {
                            case 0: s += y; break;
                            case double d when d > 2: s += d * y; break;
                            case > 1 and < 2: s += x * x; continue;
                            default: s -= y; break;
                        }
                        s *= 1.5;
                    }
                    return s;
                }
            """);
        yield return G("ListPatternOnASliceOfASpan", """
                [Differentiable] public static double F(ReadOnlySpan<double> w)
                {
                    var mid = w[1..^1];
                    if (mid is [var only]) return only * w[^1];
                    return w is [_, .., var last] ? last : 0;
                }
            """, x => [0, x[2], x[1]]);
        yield return E("SlicePatternMatchingTheSliceOfASpan", "SG0017", """
                [Differentiable] public static double F(ReadOnlySpan<double> w) => w is [_, [|.. { Length: > 0 }|], var last] ? last * w[0] : 0;
            """, "slice pattern", "a[i..j]");

        // ---- ref-ness of parameters ----
        yield return G("RefReadonlyParameterOfAHelper", """
                static double Sq(ref readonly double v) => v * v;
                static double Mul(in double a, scoped ref double b) { b *= 2; return a * b; }
                [Differentiable] public static double F(double x, double y)
                {
                    double z = y;
                    double r = Sq(in x) + Sq(ref z) + Mul(x, ref z);
                    return r + z;
                }
            """, x => [2 * x[0] + 2 * x[1], 2 * x[1] + 2 * x[0] + 2]);
        yield return E("RefReadonlyParameterOfTheMethod", "SG0004", """
                [Differentiable] public static double F(double x, [|ref readonly double y|]) => x * y;
            """, "ref readonly", "pass it by value or 'in'");
        yield return G("ScopedSpanParameterOfTheMethod", """
                [Differentiable] public static double F(scoped ReadOnlySpan<double> w) => w[0] * w[1] + w[^1];
            """, x => [x[1], x[0], 1]);
        yield return G("ParamsSpanParameterOfTheMethod", """
                [Differentiable] public static double F(double k, params ReadOnlySpan<double> w) { double s = 0; foreach (var v in w) s += k * v * v; return s; }
            """, x => [x[1] * x[1] + x[2] * x[2] + x[3] * x[3], 2 * x[0] * x[1], 2 * x[0] * x[2], 2 * x[0] * x[3]]);
        yield return G("OptionalDataParameterOfTheMethod", """
                [Differentiable] public static double F(double x, [NoDerivative] double scale = 2.5, [NoDerivative] int n = 3) => scale * Math.Pow(x, n);
            """, x => [2.5 * 3 * x[0] * x[0]]) with { Targets = [new Target { Data = new Dictionary<string, string> { ["scale"] = "2.5", ["n"] = "3" }, Closed = x => [2.5 * 3 * x[0] * x[0]] }] };

        // ---- ref structs, spans, stackalloc, ranges, indices ----
        yield return E("RefStructLocalHoldingASpan", "SG0015", Usings + """
                namespace $NS;
                public ref struct Window
                {
                    public ReadOnlySpan<double> S;
                    public double Sum() { double t = 0; foreach (var v in S) t += v; return t; }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double[] w)
                    {
                        var win = [|new Window { S = w.AsSpan(1) }|];
                        return win.Sum() * w[0];
                    }
                }
                """, "ref struct", "span local") with { WholeFile = true };
        yield return E("RefStructWithARefField", "SG0017", Usings + """
                namespace $NS;
                public ref struct Cell
                {
                    public ref double V;
                    public Cell(ref double v) { V = ref v; }
                    public void Twice() => V *= 2;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        double a = x * x;
                        var c = new Cell([|ref a|]);
                        c.Twice();
                        return a * x;
                    }
                }
                """, "ref", "local") with { WholeFile = true };
        yield return E("InlineArrayBuffer", "SG0017", Usings + """
                namespace $NS;
                [System.Runtime.CompilerServices.InlineArray(3)]
                public struct Buf3 { private double _e; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var b = [|new Buf3()|];
                        b[0] = x;
                        b[1] = y * x;
                        b[2] = b[0] + b[1];
                        double s = 0;
                        foreach (var v in b) s += v * v;
                        return s;
                    }
                }
                """, "InlineArray", "stackalloc") with { WholeFile = true };
        yield return G("StackallocRangesAndIndexFromEnd", """
                [Differentiable] public static double F(double x, double y)
                {
                    Span<double> s = stackalloc double[5];
                    for (int i = 0; i < s.Length; i++) s[i] = x * i + y;
                    var inner = s[1..^1];
                    double t = 0;
                    foreach (var v in inner) t += v * v;
                    return t + s[^1] * inner[^2];
                }
            """);
        yield return G("AsSpanFromAnOffsetAndIndexFromEnd", """
                [Differentiable] public static double F(double[] w) => w.AsSpan(1)[^1] * w.AsSpan(2)[0] + w[^3] * w.AsSpan()[1..][0];
            """, x => [x[1], x[0] + 0, 2 * x[2]]);
        yield return G("IndexAndRangeVariables", """
                [Differentiable] public static double F(double[] w)
                {
                    Index last = ^1;
                    Index first = 0;
                    Range tail = 1..;
                    Range middle = first..last;
                    var t = w[tail];
                    ReadOnlySpan<double> m = w.AsSpan()[middle];
                    return w[last] * t[0] + t[last] + w[first] * m[^1] + w.AsSpan()[first..^1][last];
                }
            """, x => [x[1], x[2] + x[0] + 1, x[1] + 1]);
        yield return G("CollectionExpressionSpanLocalWithASpread", """
                [Differentiable] public static double F(double x, ReadOnlySpan<double> w)
                {
                    ReadOnlySpan<double> s = [x, .. w, x * x];
                    double t = 0;
                    for (int i = 0; i < s.Length; i++) t += s[i] * (i + 1);
                    return t;
                }
            """, x => [1 + 5 * 2 * x[0], 2, 3, 4]);

        // ---- loops, tuples, assignments in conditions ----
        yield return G("TupleSwapInALoopFibonacci", """
                [Differentiable] public static double F(double x, double y)
                {
                    var (a, b) = (x, y);
                    for (int i = 0; i < 5; i++) (a, b) = (b, a + b * x);
                    return a;
                }
            """);
        yield return G("ForeachDeconstructingZippedTuples", """
                [Differentiable] public static double F(double[] w, [NoDerivative] double[] t)
                {
                    double s = 0;
                    foreach (var (a, b) in w.Zip(t)) s += (a - b) * (a - b);
                    foreach ((double v, int i) in w.Select((v, i) => (v, i))) s += v * i;
                    return s;
                }
            """) with { Targets = [new Target { Data = new Dictionary<string, string> { ["t"] = "new[] { 1.0, 2.0, 0.5 }" }, Closed = x => [2 * (x[0] - 1), 2 * (x[1] - 2) + 1, 2 * (x[2] - 0.5) + 2] }] };
        yield return G("CompoundAssignmentsInConditions", """
                [Differentiable] public static double F(double x, double y)
                {
                    double s = 0;
                    if ((s += x * y) > 1) s *= 2;
                    int n = 0;
                    while ((s -= 0.25) > 0 && ++n < 20) s *= 0.5 + 0 * y;
                    return (s *= x) + n;
                }
            """);
        yield return G("CoalesceAssignmentOnANullableDoubleInALoop", """
                [Differentiable] public static double F(double[] w)
                {
                    double? first = null;
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        if (w[i] > 0.2) first ??= w[i] * 2;
                        s += (first ?? 0) * w[i];
                    }
                    return s;
                }
            """) with { Targets = [new Target { Points = [[0.5, 1.0, 1.5]], Closed = x => [4 * x[0] + 2 * x[1] + 2 * x[2], 2 * x[0], 2 * x[0]] }] };
        yield return G("LocalFunctionMutatingCapturedLocalsInALoop", """
                [Differentiable] public static double F(double[] w)
                {
                    double acc = 0;
                    double prev = 1;
                    void Step(double v) { acc += v * prev; prev = v; }
                    foreach (var v in w) Step(v);
                    return acc + prev;
                }
            """, x => [1 + x[1], x[0] + x[2], x[1] + 1]);
        yield return G("StaticLambdaWithDefaultParameterAndDiscards", """
                [Differentiable] public static double F(double x, double y)
                {
                    var scale = static (double v, double k = 2) => v * k;
                    Func<double, double, double> second = static (_, b) => b * b;
                    return scale(x) + scale(y, 3) + second(x, y);
                }
            """, x => [2, 3 + 2 * x[1]]);
        yield return G("NaturalTypeLambdaCapturingAndReassigned", """
                [Differentiable] public static double F(double x, double y)
                {
                    double k = y;
                    var f = (double v) => v * k;
                    k = y * y;
                    return f(x);
                }
            """, x => [x[1] * x[1], 2 * x[0] * x[1]]);
        yield return G("ForWithTwoVariablesWalkingInward", """
                [Differentiable] public static double F(double[] w)
                {
                    double s = 0;
                    for (int i = 0, j = w.Length - 1; i < j; i++, j--) s += w[i] * w[j];
                    return s;
                }
            """, x => [x[2], 0, x[0]]);
        yield return G("EarlyReturnFromATripleLoop", """
                [Differentiable] public static double F(double[] w)
                {
                    double s = 0;
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++)
                            for (int k = 0; k < 3; k++)
                            {
                                s += w[i] * w[j] * w[k];
                                if (s > 4) return s * w[k];
                            }
                    return -s;
                }
            """);
        yield return E("GotoOutOfASwitchInsideADoLoop", "SG0012", """
                [Differentiable] public static double F(double x)
                {
                    double s = x;
                    int i = 0;
                    do
                    {
                        switch (i % 3)
                        {
                            case 0: s *= x; break;
                            case 1: s += 1; break;
                            default: [|goto|] done;
                        }
                        i++;
                    } while (i < 10);
                done:
                    return s;
                }
            """, "goto");
        yield return G("LabeledStatementWithoutGoto", """
                [Differentiable] public static double F(double x)
                {
                    start:
                    x *= 1.0;
                    double y = x * x;
                    return y * x;
                }
            """, x => [3 * x[0] * x[0]]) with { InputWarnings = ["CS0164"] };
        yield return G("WhileWithBreakAndContinueOnTheValue", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    int k = 0;
                    while (true)
                    {
                        k++;
                        if (k % 2 == 0) continue;
                        s += x / k;
                        if (s > 2 || k > 40) break;
                    }
                    return s * s;
                }
            """);

        // ---- integers, casts, rounding, piecewise constant ----
        yield return G("UncheckedIntArithmeticAsAnIndex", """
                [Differentiable] public static double F(double[] w)
                {
                    double s = 0;
                    for (int i = 0; i < 6; i++)
                    {
                        int k = (int)((uint)unchecked(i * 2654435761u) % (uint)w.Length);
                        s += w[k] * (i + 1);
                    }
                    return s;
                }
            """);
        yield return G("IntegerDivisionAndModuloMixedWithDoubles", """
                [Differentiable] public static double F(double[] w)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++) s += (i % 2 == 0 ? 1 : -1) * w[i] / (i / 2 + 1) + w[i] * (i / 2) + w[i] % 0.75;
                    return s;
                }
            """, x => [1 + 1, -1 + 1, 0.5 + 1 + 1]);
        yield return G("CastOfADifferentiatedValueUsedAsAnIndex", """
                [Differentiable] public static double F(double x, double[] w)
                {
                    int k = Math.Clamp((int)(x * 2), 0, w.Length - 1);
                    int r = (int)Math.Round(x) % w.Length;
                    return w[k] * x + w[r] * w[r] + (int)x;
                }
            """);
        yield return G("RoundWithDigitsAndMidpointMode", """
                [Differentiable] public static double F(double x, double y) => Math.Round(x, 2, MidpointRounding.AwayFromZero) * y + Math.Round(y * 10, MidpointRounding.ToZero) + double.Round(x, 1) + Math.Floor(x * y) * x;
            """) with { Targets = [new Target { ClosedOnly = true, Points = [[0.5, 1.3], [1.234, 0.77]], Closed = x => [Math.Floor(x[0] * x[1]), Math.Round(x[0], 2, MidpointRounding.AwayFromZero)] }] };
        yield return G("FloatAndDoubleMixedInOneExpression", """
                [Differentiable] public static double F(double x)
                {
                    float f = (float)x;
                    double a = MathF.Sqrt(f) * x;
                    float g = f * 2f;
                    return a + g * x + (double)(f / 4) * x;
                }
            """) with { Targets = [new Target { FloatPrecision = true }] };
        yield return G("FloatMethodCallingDoubleMath", """
                [Differentiable] public static float F(float x, float y) => (float)Math.Exp(x) * y + MathF.Tanh(x * y) + float.Hypot(x, y);
            """) with { Targets = [new Target { FloatPrecision = true }] };
        yield return E("DecimalInTheMiddleOfALoss", "SG0017", """
                [Differentiable] public static double F(double x)
                {
                    decimal d = (decimal)x;
                    return (double)([|d * 2m|]) * x;
                }
            """, "decimal", "use arithmetic on double");
        yield return G("HalfUsedOnlyInAComparison", """
                [Differentiable] public static double F(double x) => (Half)x > (Half)1.0 ? x * x : 2 * x;
            """, x => [x[0] > 1 ? 2 * x[0] : 2]) with { Targets = [new Target { Points = [[0.5], [1.5]], Closed = x => [x[0] > 1 ? 2 * x[0] : 2] }] };
        yield return G("UnsignedShiftAndBitOpsAsIndices", """
                [Differentiable] public static double F(double[] w)
                {
                    double s = 0;
                    for (int i = 0; i < 8; i++) s += w[(i >>> 1) & 1] * w[(i ^ 3) % 3];
                    return s;
                }
            """);
        yield return G("CheckedCastOfAValueThrowsTheSame", """
                [Differentiable] public static double F(double x) => checked((int)(x * 1e9)) * 1e-9 + x * x;
            """) with { Targets = [new Target { ClosedOnly = true, Points = [[0.5], [1.25]], Closed = x => [2 * x[0]], ThrowsAt = [[3.0]] }] };

        // ---- hosts, members, declarations ----
        yield return E("PrimaryConstructorOfAHostClass", "SG0006", Usings + """
                namespace $NS;
                public partial class Host(double scale, double[] data)
                {
                    private readonly double _offset = scale / 2;
                    [Differentiable] public double F(double x) => [|scale|] * x * x + data[0] * x + _offset;
                }
                """, "primary constructor parameter", "property") with { WholeFile = true };
        yield return G("RequiredInitMembersOfADataStruct", Usings + """
                namespace $NS;
                public struct Options
                {
                    public required double Rate { get; init; }
                    public double Decay { get; init; } = 0.5;
                    public Options() { }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var o = new Options { Rate = x * y };
                        var p = o with { Decay = y };
                        return o.Rate * o.Decay + p.Rate * p.Decay;
                    }
                }
                """, x => [0.5 * x[1] + x[1] * x[1], 0.5 * x[0] + 2 * x[0] * x[1]]) with { WholeFile = true };
        yield return G("NestedGenericHostsStaticMethod", Usings + """
                namespace $NS;
                public static partial class Outer<TKey>
                {
                    public static partial class Inner<TValue> where TValue : struct
                    {
                        [Differentiable] public static double F(double x) => x * x * (typeof(TKey) == typeof(int) ? 2 : 1);
                    }
                }
                """) with { WholeFile = true, Targets = [new Target { Host = "$NS.Outer<int>.Inner<long>" }] };
        yield return G("TypeAliasOfATuple", Usings + """
                namespace $NS;
                using Vec = (double X, double Y);
                public static partial class C
                {
                    static Vec Add(Vec a, Vec b) => (a.X + b.X, a.Y + b.Y);
                    [Differentiable] public static double F(double x, double y)
                    {
                        Vec v = (x, y);
                        Vec w = Add(v, v);
                        return w.X * w.Y;
                    }
                }
                """, x => [4 * x[1], 4 * x[0]]) with { WholeFile = true };
        yield return G("NestedTupleDeconstructionWithDiscards", """
                [Differentiable] public static double F(double x, double y)
                {
                    var ((a, _), b) = ((x * y, 1.0), y);
                    (double c, var (d, e)) = (a, (b, x));
                    (a, c) = (c * 2, a);
                    return a * d + c * e;
                }
            """, x => [2 * x[1] * x[1] + 2 * x[0] * x[1], 4 * x[0] * x[1] + x[0] * x[0]]);
        yield return G("ConditionalTupleThenSwap", """
                [Differentiable] public static double F(double x, double y)
                {
                    var (a, b) = x > y ? (x, y) : (y, x);
                    if (a * b > 0.5) (a, b) = (b, a);
                    return a * a + 3 * b;
                }
            """);
        yield return G("StructInstanceMethodWithAFieldKeywordSetterInALoop", Usings + """
                namespace $NS;
                public struct Ema
                {
                    public double Value { get; private set => field = 0.9 * field + 0.1 * value; }
                    public void Push(double v) => Value = v;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double[] w)
                    {
                        var e = new Ema();
                        foreach (var v in w) e.Push(v * v);
                        return e.Value;
                    }
                }
                """, x => [2 * x[0] * 0.1 * 0.81, 2 * x[1] * 0.1 * 0.9, 2 * x[2] * 0.1]) with { WholeFile = true };
        yield return G("InterfaceStaticAbstractOnAStruct", Usings + """
                namespace $NS;
                public interface IAct { static abstract double Apply(double v); }
                public struct Relu : IAct { public static double Apply(double v) => v > 0 ? v : 0.01 * v; }
                public struct Square : IAct { public static double Apply(double v) => v * v; }
                public static partial class C
                {
                    static double Run<TAct>(double v) where TAct : IAct => TAct.Apply(v);
                    [Differentiable] public static double F(double x) => Run<Relu>(x - 1) + Run<Square>(x);
                }
                """, x => [(x[0] > 1 ? 1 : 0.01) + 2 * x[0]]) with { WholeFile = true };
        yield return E("DefaultInterfaceMethodCalledThroughAConstrainedGeneric", "SG0017", Usings + """
                namespace $NS;
                public interface IScale { double K { get; } double Apply(double v) => [|K|] * v * v; }
                public struct Three : IScale { public double K => 3; }
                public static partial class C
                {
                    static double Run<T>(T s, double v) where T : struct, IScale => s.Apply(v);
                    [Differentiable] public static double F(double x) => Run(new Three(), x);
                }
                """, "'K'", "local") with { WholeFile = true };
        yield return G("ThrowExpressionInASwitchArmOnTheValue", """
                [Differentiable] public static double F(double x) => x switch
                {
                    < 0 => throw new ArgumentOutOfRangeException(nameof(x), $"negative: {x:F2}"),
                    > 100 => throw new InvalidOperationException("too big"),
                    _ => Math.Sqrt(x) * x,
                };
            """) with { Targets = [new Target { Closed = x => [1.5 * Math.Sqrt(x[0])], ThrowsAt = [[-1.0], [200.0]] }] };
        yield return G("StringInterpolationOfAValueInAnUnusedLocal", """
                [Differentiable] public static double F(double x)
                {
                    string s = $"{x:F3} and {x * 2,8:E2}";
                    return s.Length > 0 ? x * x : 0;
                }
            """, x => [2 * x[0]]);
        yield return G("LocalConstAndNameofInArithmeticOfAGenericHelper", """
                static T Poly<T>(T v) where T : System.Numerics.INumber<T>
                {
                    const int Degree = 3;
                    T r = T.One;
                    for (int i = 0; i < Degree; i++) r = r * v + T.CreateChecked(nameof(Poly).Length);
                    return r;
                }
                [Differentiable] public static double F(double x) => Poly(x);
            """, x => [3 * x[0] * x[0] + 8 * x[0] + 4]);
        yield return G("TupleEqualityOnDifferentiatedValues", """
                [Differentiable] public static double F(double x, double y)
                {
                    var p = (x, y);
                    var q = (x, 1.0);
                    return p == q ? x : (p != (y, x) ? x * y : y);
                }
            """, x => [x[1], x[0]]);
        yield return G("SpanOfAnArrayWrittenThroughCopyToAndReadBack", """
                [Differentiable] public static double F(ReadOnlySpan<double> w)
                {
                    Span<double> buf = new double[w.Length + 1];
                    w.CopyTo(buf[1..]);
                    buf[0] = buf[^1];
                    double s = 0;
                    foreach (ref readonly double v in buf) s += v * v;
                    return s;
                }
            """, x => [2 * x[0], 2 * x[1], 4 * x[2]]);
        yield return G("ForeachRefOverALocalSpanWithIndexFromEndInside", """
                [Differentiable] public static double F(double x, double y)
                {
                    Span<double> s = [x, y, x * y];
                    foreach (ref double v in s) v = v * s[^1];
                    return s[0] + s[1] + s[2];
                }
            """);
        yield return G("NullableDoubleWithPatternsAndLiftedComparisons", """
                [Differentiable] public static double F(double x, double y)
                {
                    double? a = x > 1 ? null : x * y;
                    double? b = a * 2;
                    if (b is > 0.5 and var bb) return bb * y;
                    return (a ?? y) + (b > 1 ? 1 : 0);
                }
            """) with { Targets = [new Target { Points = [[0.5, 0.4], [0.9, 1.2], [1.3, 0.7]] }] };
        yield return G("StaticAbstractMemberOfAGenericSelfInterface", Usings + """
                namespace $NS;
                public interface ILoss<TSelf> where TSelf : ILoss<TSelf> { static abstract double Of(double r); static virtual double Scale => 1; }
                public struct Squared : ILoss<Squared> { public static double Of(double r) => r * r; }
                public struct Cauchy : ILoss<Cauchy> { public static double Of(double r) => Math.Log(1 + r * r); }
                public static partial class C
                {
                    static double Sum<TLoss>(ReadOnlySpan<double> r) where TLoss : ILoss<TLoss>
                    {
                        double s = 0;
                        foreach (var v in r) s += TLoss.Of(v);
                        return s;
                    }
                    [Differentiable] public static double F(double[] w) => Sum<Squared>(w) + 2 * Sum<Cauchy>(w.AsSpan(1));
                }
                """, x => [2 * x[0], 2 * x[1] + 4 * x[1] / (1 + x[1] * x[1]), 2 * x[2] + 4 * x[2] / (1 + x[2] * x[2])]) with { WholeFile = true };
        yield return G("Cs14NullConditionalCallAndCompoundAssignment", """
                static void Twice(double[] a) { for (int i = 0; i < a.Length; i++) a[i] *= 2; }
                [Differentiable] public static double F(double x, double y)
                {
                    double[]? a = x > 0 ? new[] { x, y } : null;
                    int[]? counts = null;
                    a?[1] *= x;
                    counts?[0] = 1;
                    a?.AsSpan().Reverse();
                    a?.CopyTo(a, 0);
                    return a![0] * a[1] + (counts?.Length ?? 0);
                }
            """, x => [2 * x[0] * x[1], x[0] * x[0]]);
        yield return G("UserTypesComparedWithBclOperatorsAsData", """
                [Differentiable] public static double F(double x, [NoDerivative] DateTime a, [NoDerivative] string s)
                {
                    var t = typeof(double);
                    double r = a > DateTime.MinValue ? x * x : x;
                    if (t == typeof(double) && s != "skip") r *= 3;
                    return r + ((Half)x <= (Half)2 ? x : 0);
                }
            """) with { Targets = [new Target { Data = new Dictionary<string, string> { ["a"] = "new global::System.DateTime(2020, 1, 1)", ["s"] = "\"go\"" }, Closed = x => [6 * x[0] + 1] }] };
        yield return G("NullArrayLocalTestedWithPatternsAndEquality", """
                [Differentiable] public static double F(double x)
                {
                    double[]? b = null;
                    string? s = null;
                    double r = b is null ? x * x : 1;
                    if (b is not null) r += x;
                    if (b == null && s is null) r *= 3;
                    return r + (b != null ? 1 : x);
                }
            """, x => [6 * x[0] + 1]);
        yield return G("StructWithANullableFieldInALoop", Usings + """
                namespace $NS;
                public struct Running
                {
                    public double? Best;
                    public int Count;
                    public void Offer(double v) { if (Best is null || v < Best) Best = v; Count++; }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double[] w)
                    {
                        var r = new Running();
                        foreach (var v in w) r.Offer(v * v);
                        var copy = r;
                        copy.Best = null;
                        return (r.Best ?? 0) * r.Count + (copy.Best ?? 1);
                    }
                }
                """) with { WholeFile = true, Targets = [new Target { Points = [[0.5, 1.2, 0.9], [1.4, 1.3, 0.6]] }] };
        yield return E("NullableFieldStructAsADifferentiatedParameter", "SG0006", Usings + """
                namespace $NS;
                public struct Opt { public double A; public double? B; }
                public static partial class C
                {
                    [Differentiable] public static double F(Opt [|o|], double x) => o.A * x + (o.B ?? 2) * x;
                }
                """, "nullable member", "[NoDerivative]") with { WholeFile = true };
        yield return G("NullableFieldStructAsADataParameter", Usings + """
                namespace $NS;
                public struct Opt { public double A; public double? B; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, [NoDerivative] Opt o)
                    {
                        var local = o;
                        if (local.B is null) local.B = 4;
                        return o.A * x + (o.B ?? 2) * x * x + local.B.Value * x;
                    }
                }
                """, x => [1.5 + 2 * 2.5 * x[0] + 2.5]) with { WholeFile = true, Targets = [new Target { Data = new Dictionary<string, string> { ["o"] = "new global::$NS.Opt { A = 1.5, B = 2.5 }" }, Closed = x => [1.5 + 2 * 2.5 * x[0] + 2.5] }] };
        yield return E("CoalesceAssignmentToAStructMember", "SG0017", Usings + """
                namespace $NS;
                public struct Opt { public double A; public double? B; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var o = new Opt { A = x };
                        [|o.B ??= x * x|];
                        return o.A * o.B.Value;
                    }
                }
                """, "??=", "if statement") with { WholeFile = true };
        yield return G("NullableMemberOfADataStructParameter", Usings + """
                namespace $NS;
                public struct Opt { public double A; public double? B; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, [NoDerivative] Opt o) => o.A * x + (o.B ?? 2) * x * x + (o.B.HasValue ? o.B.Value : 0);
                }
                """, x => [1.5 + 2 * 2.5 * x[0]]) with { WholeFile = true, Targets = [new Target { Data = new Dictionary<string, string> { ["o"] = "new global::$NS.Opt { A = 1.5, B = 2.5 }" }, Closed = x => [1.5 + 2 * 2.5 * x[0]] }] };
        yield return G("StaticReadonlyDelegateFieldAsAnActivation", """
                static readonly Func<double, double> Act = Math.Tanh;
                static readonly Func<double, double> Sq = v => v * v;
                [Differentiable] public static double F(double x) => Act(x) + Sq(x);
            """, x => [1 - Math.Tanh(x[0]) * Math.Tanh(x[0]) + 2 * x[0]]);
        yield return E("StaticDelegateFieldAssignedInAStaticConstructor", "SG0014", Usings + """
                namespace $NS;
                public static class Acts
                {
                    public static readonly Func<double, double> Act;
                    static Acts() { Act = Environment.ProcessorCount > 0 ? Math.Tanh : Math.Sin; }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x) => [|Acts.Act(x)|] * x;
                }
                """, "field", "lambda") with { WholeFile = true };
        yield return G("StaticReadonlyDelegateOfAnotherClassReadingStatics", Usings + """
                namespace $NS;
                public static class Acts
                {
                    public static double Slope = 0.1;
                    public static readonly Func<double, double> Leaky = v => v > 0 ? v : Slope * v;
                    public static readonly Func<double, double, double> Mix = Blend;
                    static double Blend(double a, double b) => a * a + b;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y) => Acts.Leaky(x - 1) + Acts.Mix(x, y * y);
                }
                """, x => [(x[0] > 1 ? 1 : 0.1) + 2 * x[0], 2 * x[1]]) with { WholeFile = true };
        yield return E("NullConditionalAssignmentIntoAParameterArray", "SG0018", """
                [Differentiable] public static double F(double[] w, double x)
                {
                    w?[|[0]|] = x;
                    return w![0] * x;
                }
            """, "parameter 'w'", "copy");
        yield return G("NullConditionalAssignmentInALoopOnAJaggedLocal", """
                [Differentiable] public static double F(double[] w)
                {
                    var rows = new double[]?[] { new double[2], null, new double[2] };
                    double s = 0;
                    for (int i = 0; i < rows.Length; i++)
                    {
                        rows[i]?[1] = w[i] * w[i];
                        s += rows[i]?[1] ?? w[i];
                    }
                    return s;
                }
            """, x => [2 * x[0], 1, 2 * x[2]]);
        yield return G("RangeVariableSlicingASpanParameterAndALocalWrittenThrough", """
                [Differentiable] public static double F(ReadOnlySpan<double> w)
                {
                    Range r = 1..^0;
                    var tail = w[r];
                    var buf = new double[3];
                    Span<double> view = buf.AsSpan()[r];
                    view[0] = tail[0] * tail[^1];
                    return buf[1] + w[..1][0];
                }
            """, x => [1, x[2], x[1]]);
        yield return G("StaticVirtualInterfacePropertyThroughATypeParameter", Usings + """
                namespace $NS;
                public interface IScaled { static virtual double Scale => 1; static abstract double Apply(double v); }
                public struct Twice : IScaled { public static double Scale => 2; public static double Apply(double v) => Scale * v * v; }
                public struct Plain : IScaled { public static double Apply(double v) => v; }
                public static partial class C
                {
                    static double Run<T>(double v) where T : IScaled => T.Apply(v) * T.Scale;
                    [Differentiable] public static double F(double x) => Run<Twice>(x) + Run<Plain>(x);
                }
                """, x => [8 * x[0] + 1]) with { WholeFile = true };
        yield return E("StaticAbstractCallInAGenericDifferentiableMethod", "SG0017", Usings + """
                namespace $NS;
                public interface IAct { static abstract double Apply(double v); static virtual double Scale => 1; }
                public struct Sq : IAct { public static double Apply(double v) => v * v; public static double Scale => 3; }
                public static partial class C
                {
                    [Differentiable] public static double F<T>(double x) where T : IAct => [|T.Apply(x)|] * x;
                }
                """, "static abstract", "concrete type") with { WholeFile = true };
        yield return E("StaticVirtualPropertyInAGenericDifferentiableMethod", "SG0017", Usings + """
                namespace $NS;
                public interface IAct { static virtual double Scale => 1; }
                public struct Sq : IAct { public static double Scale => 3; }
                public static partial class C
                {
                    [Differentiable] public static double F<T>(double x) where T : IAct => [|T.Scale|] * x * x;
                }
                """, "static abstract or virtual", "concrete type") with { WholeFile = true };
        yield return G("RecordStructWithANullableMemberComparedAndCopied", Usings + """
                namespace $NS;
                public record struct Fit(double Loss, double? Best);
                public static partial class C
                {
                    static Fit Better(Fit f, double v) => f.Best is { } b && b <= v ? f : f with { Best = v };
                    [Differentiable] public static double F(double x, double y)
                    {
                        var f = new Fit(x * y, null);
                        var g = Better(Better(f, x), y * y);
                        var h = g with { Loss = 0 };
                        double same = g == f ? 1 : 0;
                        double eq = h.Equals(new Fit(0, g.Best)) ? 2 : 0;
                        return g.Loss * (g.Best ?? 0) + same + eq + (h.Best > 1 ? x : y);
                    }
                }
                """) with { WholeFile = true, Targets = [new Target { Points = [[0.5, 0.6], [1.3, 1.5], [1.4, 0.8]] }] };
        yield return G("StructWithANullableMemberThroughTupleAndHelperReturn", Usings + """
                namespace $NS;
                public struct Slot { public double? V; public int N; }
                public static partial class C
                {
                    static (Slot, double) Step(Slot s, double x) { s.V = (s.V ?? 1) * x; s.N++; return (s, s.V.Value); }
                    [Differentiable] public static double F(double x)
                    {
                        var s = new Slot();
                        double t = 0;
                        for (int i = 0; i < 3; i++) { (s, var v) = Step(s, x); t += v; }
                        return t + s.N;
                    }
                }
                """, x => [1 + 2 * x[0] + 3 * x[0] * x[0]]) with { WholeFile = true };
        yield return G("TripCountFromARoundedValue", """
                [Differentiable] public static double F(double x)
                {
                    double s = 0;
                    for (int i = 0; i < (int)Math.Round(x * 3); i++) s += x * i;
                    return s + x;
                }
            """) with { Targets = [new Target { Points = [[0.7], [1.2], [1.6]] }] };
        yield return G("RefReadonlyLocalsDeclaredInsideALoopOverAParameter", """
                [Differentiable] public static double F(double[] w)
                {
                    double s = 0;
                    for (int i = 1; i < w.Length; i++)
                    {
                        ref readonly double cur = ref w[i];
                        scoped ref readonly double prev = ref w[i - 1];
                        s += cur * prev;
                    }
                    foreach (ref readonly var v in w.AsSpan()) s += v;
                    return s;
                }
            """, x => [x[1] + 1, x[0] + x[2] + 1, x[1] + 1]);
        yield return G("TupleOfNineElements", """
                [Differentiable] public static double F(double x, double y)
                {
                    var t = (x, x * 2, 3.0, 4.0, 5.0, 6.0, 7.0, x * y, y);
                    t.Item9 *= t.Item8;
                    var (a, _, _, _, _, _, _, h, i) = t;
                    return a * i + h;
                }
            """, x => [2 * x[0] * x[1] * x[1] + x[1], 2 * x[0] * x[0] * x[1] + x[0]]);
        yield return G("GenericMathPredicatesInBranches", """
                [Differentiable] public static double F(double x, [NoDerivative] double k)
                {
                    double r = double.IsInteger(k) ? x * x : x;
                    if (double.IsEvenInteger(k * 2) && !double.IsSubnormal(x) && double.IsPositive(x)) r += 3 * x;
                    return r + (double.IsNormal(x - x) ? 100 : 0);
                }
            """, x => [2 * x[0] + 3]) with { Targets = [new Target { Data = new Dictionary<string, string> { ["k"] = "2.0" }, Closed = x => [2 * x[0] + 3] }] };
        yield return G("UserDefinedIncrementOnAStructLocal", Usings + """
                namespace $NS;
                public struct Counter
                {
                    public double V;
                    public static Counter operator ++(Counter c) => new Counter { V = c.V * 2 + 1 };
                    public static Counter operator --(Counter c) => new Counter { V = c.V - 0.5 };
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var c = new Counter { V = x };
                        c++;
                        var before = c--;
                        var after = ++c;
                        return before.V * x + after.V + c.V;
                    }
                }
                """, x => [(2 * x[0] + 1) + 2 * x[0] + 4 + 4]) with { WholeFile = true };
        yield return G("Cs14ExtensionMembersInsideLinqLambdas", Usings + """
                namespace $NS;
                public static class Ext
                {
                    extension(double v)
                    {
                        public double Sq() => v * v;
                        public double Half => v / 2;
                    }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double[] w) => w.Select(v => v.Sq()).Sum() + w.Sum(v => v.Half) + w.Aggregate(1.0, (a, v) => a * v.Sq());
                }
                """, x => [2 * x[0] + 0.5 + 2 * x[0] * x[1] * x[1] * x[2] * x[2], 2 * x[1] + 0.5 + 2 * x[1] * x[0] * x[0] * x[2] * x[2], 2 * x[2] + 0.5 + 2 * x[2] * x[0] * x[0] * x[1] * x[1]]) with { WholeFile = true };
        yield return E("TrainablePropertyWithAFieldKeywordAccessor", "SG0032", Usings + """
                namespace $NS;
                public partial class Model
                {
                    [Trainable] public double [|W|] { get; set => field = value; } = 0.5;
                    [Differentiable] public double Loss([NoDerivative] double x) => (W * x - 1) * (W * x - 1);
                }
                """, "accessor with a body", "get; set;") with { WholeFile = true, ErrorMethod = "Loss" };
        yield return G("ParamsSpanHelperWithASpreadOfAParameter", """
                static double SumSq(params ReadOnlySpan<double> v) { double s = 0; foreach (var e in v) s += e * e; return s; }
                [Differentiable] public static double F(double x, double[] w) => SumSq([.. w, x]) + SumSq(w) + SumSq();
            """, x => [2 * x[0], 4 * x[1], 4 * x[2], 4 * x[3]]);
        yield return G("LambdaWithAParamsParameter", """
                [Differentiable] public static double F(double x, double y)
                {
                    var sum = (params double[] v) => { double s = 0; foreach (var e in v) s += e; return s; };
                    return sum(x, y, x * y) * sum() + sum(x * x);
                }
            """, x => [2 * x[0], 0]);
        yield return G("SwitchOnDataStringChoosingTheLoss", """
                [Differentiable] public static double F(double x, [NoDerivative] string mode) => mode switch
                {
                    "l2" => x * x,
                    "l1" => Math.Abs(x),
                    { Length: > 5 } => Math.Log(1 + x * x),
                    _ => throw new ArgumentException($"unknown loss '{mode}'", nameof(mode)),
                };
            """) with
            {
                Targets =
                [
                    new Target { Data = new Dictionary<string, string> { ["mode"] = "\"l2\"" }, Closed = x => [2 * x[0]] },
                    new Target { Data = new Dictionary<string, string> { ["mode"] = "\"cauchy\"" }, Closed = x => [2 * x[0] / (1 + x[0] * x[0])] },
                ],
            };
        yield return G("GenericLocalFunctionAtFloatAndDouble", """
                [Differentiable] public static double F(double x)
                {
                    static T Cube<T>(T v) where T : System.Numerics.INumber<T> => v * v * v;
                    return Cube(x) + Cube((float)x) + Cube(2);
                }
            """) with { Targets = [new Target { FloatPrecision = true, Closed = x => [6 * x[0] * x[0]] }] };
        yield return E("NullConditionalCallPassingADifferentiatedValueToAList", "SG0015", """
                [Differentiable] public static double F(double x, [NoDerivative] List<double>? log)
                {
                    log?[|.Add(x * x)|];
                    return x * 3;
                }
            """, "Add", "array");
        yield return G("NullConditionalCallOnDataWithDataArguments", """
                [Differentiable] public static double F(double x, [NoDerivative] List<double>? log, [NoDerivative] double[] seen)
                {
                    var copy = new List<double>();
                    log?.ForEach(copy.Add);
                    seen?.CopyTo(new double[seen.Length], 0);
                    return x * x * (copy.Count + 1);
                }
            """) with { Targets = [new Target { Data = new Dictionary<string, string> { ["log"] = "new global::System.Collections.Generic.List<double> { 1.0, 2.0 }", ["seen"] = "new[] { 1.0 }" }, Closed = x => [6 * x[0]] }] };
        yield return G("LambdaWithAnExplicitReturnType", """
                [Differentiable] public static double F(double x, double y)
                {
                    var f = double (double v) => v * y;
                    var g = static double (double a, double b) => a - b;
                    return f(x) * g(x, y);
                }
            """, x => [x[1] * (x[0] - x[1]) + x[0] * x[1], x[0] * (x[0] - x[1]) - x[0] * x[1]]);
        yield return G("ArgmaxIndexFromTheDifferentiatedValues", """
                [Differentiable] public static double F(double[] w)
                {
                    int k = Array.IndexOf(w, w.Max());
                    int j = w.AsSpan().IndexOf(w[0]);
                    return w[k] * w[k] + w[j];
                }
            """) with { Targets = [new Target { Points = [[0.5, 1.5, 1.0], [1.6, 0.4, 0.9]] }] };
        yield return G("StepAdvancedByACeilingOfTheValue", """
                [Differentiable] public static double F(double[] w)
                {
                    double s = 0;
                    int i = 0;
                    while (i < w.Length)
                    {
                        s += w[i] * (i + 1);
                        i += Math.Max(1, (int)Math.Ceiling(w[i]));
                    }
                    return s;
                }
            """) with { Targets = [new Target { Points = [[0.5, 1.5, 1.2], [1.6, 0.4, 0.9]] }] };
        yield return G("SwitchExpressionReturningATupleThenDeconstructed", """
                [Differentiable] public static double F(double x, double y)
                {
                    var (a, b) = x switch
                    {
                        > 1 => (x, 1.0),
                        var v when v > y => (v * y, v),
                        _ => (1.0, x * x),
                    };
                    return a * b + (x is not (< 0.5 or > 1.5) ? y : 0);
                }
            """) with { Targets = [new Target { Points = [[1.2, 0.5], [0.8, 0.4], [0.4, 0.9]] }] };
        yield return G("PowCbrtAndAtan2AtNegativeArguments", """
                [Differentiable] public static double F(double x, double y) => Math.Pow(-x, 3) + Math.Cbrt(-x * y) + Math.Atan2(-y, -x) + double.Pow(x, y);
            """);
        yield return G("FloatGenericHelperCalledFromADoubleMethod", """
                static T Sq<T>(T v) where T : System.Numerics.IFloatingPointIeee754<T> => T.FusedMultiplyAdd(v, v, T.One);
                [Differentiable] public static double F(double x) => Sq((float)x) + Sq(x) + float.Lerp(1f, (float)x, 0.5f);
            """) with { Targets = [new Target { FloatPrecision = true, Closed = x => [4 * x[0] + 0.5] }] };
        yield return G("CheckedIntOverflowInAnIndexThrows", """
                [Differentiable] public static double F(double[] w, [NoDerivative] int big)
                {
                    int k = checked(big * 1000) % w.Length;
                    return w[k] * w[0];
                }
            """) with { Targets = [new Target { Data = new Dictionary<string, string> { ["big"] = "1" }, Closed = x => [x[1], x[0], 0] }] };
        yield return G("ParamsArrayParameterOfTheMethod", """
                [Differentiable] public static double F(double k, params double[] w) => w.Sum(v => k * v * v);
            """, x => [x[1] * x[1] + x[2] * x[2] + x[3] * x[3], 2 * x[0] * x[1], 2 * x[0] * x[2], 2 * x[0] * x[3]]);
        yield return G("LocalFunctionReturningATupleWithNamedElements", """
                [Differentiable] public static double F(double x, double y)
                {
                    (double Sum, double Prod) Both(double a, double b) => (a + b, a * b);
                    var r = Both(x, y);
                    var (s, _) = Both(r.Prod, r.Sum);
                    return s * r.Sum;
                }
            """, x => [(x[1] + 1) * (x[0] + x[1]) + (x[0] * x[1] + x[0] + x[1]), (x[0] + 1) * (x[0] + x[1]) + (x[0] * x[1] + x[0] + x[1])]);
        yield return G("NameofOfAnUnboundGenericInArithmetic", """
                [Differentiable] public static double F(double x) => x * nameof(List<>).Length + x * x;
            """, x => [4 + 2 * x[0]]);
        yield return G("RecordStructWithExpressionInALoop", Usings + """
                namespace $NS;
                public readonly record struct State(double Pos, double Vel);
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double k)
                    {
                        var s = new State(x, 0);
                        for (int i = 0; i < 4; i++) s = s with { Pos = s.Pos + 0.1 * s.Vel, Vel = s.Vel - 0.1 * k * s.Pos };
                        return s.Pos * s.Pos + s.Vel;
                    }
                }
                """) with { WholeFile = true };
        yield return G("MathMaxOfNaNPropagates", """
                [Differentiable] public static double F(double x, double y) => Math.Max(x, Math.Sqrt(y - 1)) * x + double.MaxNumber(y, double.NaN);
            """) with { Targets = [new Target { Points = [[0.5, 1.5], [1.5, 2.0]], NonFiniteAt = [[0.5, 0.5]] }] };
    }
}
