namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>
/// A differentiable value that leaves double and comes back (boxing, bits, strings, Half, Convert), and objects that
/// carry one (constructors, anonymous types, reference tuples): each must keep its derivative or be refused at the
/// node (issue 8 §1: "conversions through other numeric types").
/// </summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> RoundTrips()
    {
        const string R = "issue 8 §1: a round trip must keep the derivative or be refused";

        yield return E("BoxingAndUnboxing", "SG0025", """
                [Differentiable] public static double F(double x)
                {
                    object o = x * 2;
                    return [|(double)o|] * x;
                }
            """, "object", "double") with { Note = R + " (boxing)" };
        yield return E("UnboxingWithAPattern", "SG0017", """
                [Differentiable] public static double F(double x)
                {
                    object o = x * 2;
                    return o is [|double d|] ? d * x : 0;
                }
            """, "unboxing", "double") with { Note = R + " (boxing, then a type pattern)" };
        yield return E("BitsRoundTrip", "SG0015", """
                [Differentiable] public static double F(double x) => [|BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x))|] * x;
            """, "BitConverter", "derivative is not known") with { Note = R + " (BitConverter)" };
        yield return E("StringRoundTrip", "SG0015", """
                [Differentiable] public static double F(double x) => [|double.Parse(x.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture)|] * x;
            """, "double.Parse", "derivative is not known") with { Note = R + " (a string)" };
        yield return E("HalfRoundTrip", "SG0025", """
                [Differentiable] public static double F(double x) => [|(double)(Half)x|] * 4.0;
            """, "Half", "double") with { Note = R + " (Half: one error, as for decimal; or exact, as for float)" };
        yield return G("ConvertToDouble", """
                [Differentiable] public static double F(double x) => Convert.ToDouble(x) * x + Convert.ToDouble((float)x) + Convert.ToDouble(3);
            """, x => [2 * x[0] + 1], R + " (Convert: a conversion, exact)");
        yield return G("CreateCheckedAndTruncatingOnDouble", """
                [Differentiable] public static double F(double x) => double.CreateChecked(x) * double.CreateTruncating(x * 2) + double.CreateSaturating(x);
            """, x => [4 * x[0] + 1], R + " (generic math conversions)");
        yield return G("StaticGenericMathApisOnDouble", """
                [Differentiable] public static double F(double x, double y) => double.Max(x, y) * double.Sin(x) + double.Clamp(y, 0.0, 1.0) + float.Exp((float)x);
            """, note: "double.Max, double.Sin, double.Clamp, float.Exp") with { Targets = [new Target { FloatPrecision = true }] };
        yield return G("BitIncrementAndCompareTo", """
                [Differentiable] public static double F(double x, double y) => (x.CompareTo(y) > 0 ? x : y) * Math.BitIncrement(x);
            """, note: "CompareTo, BitIncrement (derivative 1)");
        yield return G("ClassConstructorAssigningAField", Usings + "namespace $NS;\n" + """
                public sealed class Holder
                {
                    public readonly double V;
                    public Holder(double v) { V = v * 2; }
                    public double Twice() => 2 * V;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var h = new Holder(x);
                        return h.V * h.Twice();
                    }
                }
                """, x => [16 * x[0]], R + " (a class built from x by its constructor)") with { WholeFile = true };
        yield return G("StructConstructorWithLogic", Usings + "namespace $NS;\n" + """
                public readonly struct Polar
                {
                    public readonly double X, Y;
                    public Polar(double r, double theta)
                    {
                        if (r < 0) throw new ArgumentOutOfRangeException(nameof(r));
                        X = r * Math.Cos(theta);
                        Y = r * Math.Sin(theta);
                    }

                    public static Polar Unit(double theta) => new(1, theta);
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double r, double t)
                    {
                        var p = new Polar(r, t);
                        var u = Polar.Unit(2 * t);
                        return p.X * u.Y + p.Y * u.X;
                    }
                }
                """, x => [Math.Sin(3 * x[1]), 3 * x[0] * Math.Cos(3 * x[1])], "a struct constructor with logic, a static factory") with { WholeFile = true };
        yield return G("RecordClassPositional", Usings + "namespace $NS;\n" + """
                public sealed record Params(double A, double B);
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var p = new Params(x, x * x);
                        return p.A * p.B;
                    }
                }
                """, x => [3 * x[0] * x[0]], R + " (a record class)") with { WholeFile = true };
        yield return G("AnonymousType", """
                [Differentiable] public static double F(double x)
                {
                    var a = new { X = x, Y = 2.0 };
                    var b = a with { Y = a.Y * x };
                    return a.X * a.Y + b.X * b.Y;
                }
            """, x => [2 + 4 * x[0]], "an anonymous type and 'with' on it (stop 37: held like a tuple; it was SG0017)");
        yield return G("ReferenceTuple", """
                [Differentiable] public static double F(double x)
                {
                    var t = Tuple.Create(x, x * 3);
                    return t.Item1 * t.Item2;
                }
            """, x => [6 * x[0]], R + " (System.Tuple)");
        yield return G("KeyValuePairFromTheBcl", """
                [Differentiable] public static double F(double x)
                {
                    var k = new KeyValuePair<int, double>(1, x);
                    return k.Value * x;
                }
            """, x => [2 * x[0]], R + " (a BCL struct built from x)");
        yield return G("EnumerableRepeatToArray", """
                [Differentiable] public static double F(double x)
                {
                    var v = Enumerable.Repeat(x, 3).ToArray();
                    return v[2] * v[0] + v.Length;
                }
            """, x => [2 * x[0]], R + " (an array built by LINQ from x)");
        yield return G("GenericStructOfDouble", Usings + "namespace $NS;\n" + """
                public readonly struct Pair<T> where T : System.Numerics.INumber<T>
                {
                    public readonly T First, Second;
                    public Pair(T first, T second) { First = first; Second = second; }
                    public T Product => First * Second;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y) => new Pair<double>(x, y).Product + new Pair<double>(y, y).First;
                }
                """, x => [x[1], x[0] + 1], "a generic struct instantiated at double") with { WholeFile = true };
        yield return G("InstanceMethodCallingAnotherInstanceMethod", """
                private readonly double _k = 3;
                [Differentiable] public double G(double x) => _k * x * x;
                [Differentiable] public double F(double x) => this.G(x) + G(2 * x);
            """, note: "an instance [Differentiable] method calling another on this") with
        {
            Wrapper = "public partial class C",
            Targets = [new Target { Instance = "new global::$NS.C()", Closed = x => [6 * x[0] + 24 * x[0]] }],
        };
        yield return G("ExtensionMethodOnAStruct", Usings + "namespace $NS;\n" + """
                public readonly record struct V(double A, double B);
                public static class VExtensions { public static double Cross(this V p, V q) => p.A * q.B - p.B * q.A; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y) => new V(x, 1).Cross(new V(y, x));
                }
                """, x => [2 * x[0], -1], "an extension method on a struct") with { WholeFile = true };
        yield return G("ForeachDeconstructingTuplesFromData", """
                [Differentiable] public static double F(double w, [NoDerivative] (double X, double Y)[] points)
                {
                    double s = 0;
                    foreach (var (px, py) in points) s += (w * px - py) * (w * px - py);
                    return s;
                }
            """, note: "foreach with deconstruction over data tuples") with
        {
            Targets = [new Target { Data = new Dictionary<string, string> { ["points"] = "new (double, double)[] { (0.5, 1.0), (2.0, -1.0) }" }, Closed = x => [2 * (x[0] * 0.5 - 1.0) * 0.5 + 2 * (x[0] * 2 + 1) * 2] }],
        };
        yield return G("ForeachDeconstructingALocalArrayOfTuples", """
                [Differentiable] public static double F(double x, double y)
                {
                    var pts = new (double A, double B)[] { (x, 1), (2, x * y) };
                    double s = 0;
                    foreach (var (a, b) in pts) s += a * b;
                    foreach ((double a, var b) in pts) s += a - b;
                    return s;
                }
            """, x => [1 + 2 * x[1] + 1 - x[1], 2 * x[0] - x[0]], "foreach with deconstruction over a local array of tuples built from the parameters (its reverse loops are SIMD kernels)");
        yield return G("ForeachDeconstructingNestedTuplesFromData", """
                [Differentiable] public static double F(double w, [NoDerivative] (double X, (double Y, int K) R)[] points)
                {
                    double s = 0;
                    foreach (var (px, (py, k)) in points) s += k * (w * px - py) * (w * px - py);
                    return s;
                }
            """, note: "foreach deconstructing nested data tuples") with
        {
            Targets = [new Target { Data = new Dictionary<string, string> { ["points"] = "new (double, (double, int))[] { (1.0, (2.0, 3)), (0.5, (1.0, 2)) }" }, Closed = x => [3 * 2 * (x[0] - 2) + 2 * 2 * (x[0] * 0.5 - 1) * 0.5] }],
        };
        yield return G("LoopInvariantAdjointInAKernel", """
                [Differentiable] public static double F(double x, double y)
                {
                    var q = new double[] { 1, x * y, x };
                    double s = 0, t = 0;
                    for (int i = 0; i < q.Length; i++) s -= q[i];
                    for (int i = 0; i < q.Length; i++) t += 2 * q[i];
                    return s + t * t;
                }
            """, x => [-(x[1] + 1) + 2 * (2 * (1 + x[0] * x[1] + x[0])) * 2 * (x[1] + 1), -x[0] + 2 * (2 * (1 + x[0] * x[1] + x[0])) * 2 * x[0]],
            "the reverse of s -= q[i] is a SIMD kernel adding the same adjoint to every element: its hoisted negation read an adjoint copy the kernel dropped (a zero gradient before)");
        yield return G("ForeachSubtractingAParameterArrayInAKernel", """
                [Differentiable] public static double F(double[] u)
                {
                    double v = 0.25;
                    foreach (var e in u) v -= e;
                    double w = 0;
                    foreach (var e in u) w = w * 0.5 + u[u.Length - 1];
                    return Math.Tanh(v) + w * w;
                }
            """, note: "found by the random tester (seed 91130, batch 1878226945, M91): v -= e over a parameter array had a zero gradient in the SIMD reverse, the same drop as LoopInvariantAdjointInAKernel") with
        {
            Targets =
            [
                new Target
                {
                    Lengths = new Dictionary<string, int> { ["u"] = 4 },
                    Closed = u =>
                    {
                        double v = 0.25 - u.Sum(), t = 1 - Math.Tanh(v) * Math.Tanh(v);
                        double w = 0, c = 0;
                        for (int k = 0; k < 4; k++) { w = w * 0.5 + u[3]; c = c * 0.5 + 1; }
                        return [-t, -t, -t, -t + 2 * w * c];
                    },
                },
            ],
        };
        yield return G("NullableLiftedArithmetic", """
                [Differentiable] public static double F(double x)
                {
                    double? a = x;
                    double? b = a * 2 + 1;
                    double? c = null;
                    double? d = b * c;
                    return b.Value * a.Value + (d ?? 0);
                }
            """, x => [4 * x[0] + 1], "lifted arithmetic on double?");
    }
}
