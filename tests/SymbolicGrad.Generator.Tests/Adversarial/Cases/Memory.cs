namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>Arrays, spans, ranges, stackalloc, refs to elements, unsafe code, matrices.</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Memory()
    {
        const string S5 = "issue 8 §5";
        const string N9 = "issue 9";

        yield return G("RefToParameterArrayElementRead", """
                [Differentiable] public static double F(double[] x)
                {
                    ref readonly double first = ref x[0];
                    ref readonly double last = ref x[x.Length - 1];
                    return first * last + x[1];
                }
            """, x => [x[2], 1, x[0]], S5 + ": refs to elements (read-only)");
        yield return G("RefToLocalArrayElementInALoop", """
                [Differentiable] public static double F(double x)
                {
                    var a = new double[3];
                    for (int i = 0; i < a.Length; i++)
                    {
                        ref double cell = ref a[i];
                        cell = x * (i + 1);
                        cell *= x;
                    }

                    return a[0] + a[1] + a[2];
                }
            """, x => [12 * x[0]], S5 + ": refs to elements, inside a loop");
        yield return G("RefReassignedToAnotherLocal", """
                [Differentiable] public static double F(double x)
                {
                    double a = x, b = 2 * x;
                    ref double r = ref a;
                    r *= 3;
                    r = ref b;
                    r += x;
                    return a * b;
                }
            """, x => [18 * x[0]], S5 + ": a ref local re-pointed (ref reassignment)");
        yield return E("RefReturnedByAHelper", "SG0017", """
                static ref double At(double[] a, int i) => ref a[i];
                [Differentiable] public static double F(double x)
                {
                    var w = new double[2];
                    w[1] = 2;
                    [|At(w, 0)|] = x;
                    return w[0] * w[1];
                }
            """, "ref a method returns", "a[i]") with { Note = S5 + ": refs returned by a helper (refused, with a rewrite)" };
        yield return E("RefLocalInAConditionalRef", "SG0006", """
                [Differentiable] public static double F(double x, bool first)
                {
                    double a = x, b = x * x;
                    ref double r = ref [|first ? ref a : ref b|];
                    r *= 2;
                    return a + b;
                }
            """, "conditional ref", "if/else") with { Note = S5 + ": conditional ref (refused, with a rewrite)" };
        yield return G("SpanOverALocalArrayWrittenThroughTheSpan", """
                [Differentiable] public static double F(double x)
                {
                    var a = new double[2];
                    Span<double> s = a;
                    s[0] = x;
                    s[1] = x * x;
                    return a[0] * a[1];
                }
            """, x => [3 * x[0] * x[0]], "a span aliasing a local array");
        yield return G("StackallocSpan", """
                [Differentiable] public static double F(double x)
                {
                    Span<double> s = stackalloc double[3];
                    s[0] = x;
                    s[1] = s[0] * x;
                    s[2] = s[1] * x;
                    double t = 0;
                    foreach (var v in s) t += v;
                    return t;
                }
            """, x => [1 + 2 * x[0] + 3 * x[0] * x[0]], S5 + ": stackalloc") with { Language = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp13 };
        yield return G("SpanSlicingWithRanges", """
                [Differentiable] public static double F(ReadOnlySpan<double> x)
                {
                    var middle = x[1..^1];
                    var tail = x[2..];
                    double s = 0;
                    for (int i = 0; i < middle.Length; i++) s += middle[i] * middle[i];
                    return s + tail[^1] * x[0];
                }
            """, note: S5 + ": Span slicing with ranges") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["x"] = 5 }, Closed = x => [x[4], 2 * x[1], 2 * x[2], 2 * x[3], x[0]] }],
        };
        yield return G("IndexFromEndOnADifferentiableArray", """
                [Differentiable] public static double F(double[] x) => x[^1] * x[^2] + x[0];
            """, x => [1, x[2], x[1]], "index from end");
        yield return G("ExtensionMethodCallsOnData", """
                [Differentiable] public static double F(double[] x, [NoDerivative] double[] data)
                {
                    if (data.AsSpan().IndexOf(-7.0) >= 0) throw new ArgumentException(string.Join(",", data.Take(2)));
                    return x.AsSpan().IndexOf(3.0) >= 0 ? x[0] : x[0] * x[1] + x.AsSpan(1).Length * x[2];
                }
            """, note: "extension methods called on data (AsSpan, IndexOf, Take): the generated file has none of the user's usings, so they are printed in their static form") with
        {
            Targets =
            [
                new Target { Lengths = new Dictionary<string, int> { ["x"] = 3 }, Data = new Dictionary<string, string> { ["data"] = "new double[] { 1, 2 }" }, Closed = x => [x[1], x[0], 2] },
            ],
        };
        yield return G("FirstClassSpansAndParamsSpans", """
                static double SumSq(ReadOnlySpan<double> v) { double s = 0; foreach (var e in v) s += e * e; return s; }
                static double Product(params ReadOnlySpan<double> v) { double p = 1; foreach (var e in v) p *= e; return p; }
                [Differentiable] public static double F(double[] x) => SumSq(x) + Product(x[0], x[1]) + Product(x);
            """, x => [2 * x[0] + x[1] + x[1] * x[2], 2 * x[1] + x[0] + x[0] * x[2], 2 * x[2] + x[0] * x[1]], "C# 13 and 14: an array passed where a span is expected (first-class spans), params spans") with { Language = Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview };
        yield return G("ExtensionMembersOfCSharp14", Usings + "namespace $NS;\n" + """
                public static class NumberExtensions
                {
                    extension(double v)
                    {
                        public double Squared() => v * v;
                        public double Cubed => v * v * v;
                        public double Plus(double w) => v + w;
                    }

                    extension(double[] a)
                    {
                        public double SumOfSquares() { double s = 0; foreach (var e in a) s += e * e; return s; }
                    }
                }

                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y) => x.Squared() + y.Cubed + x.Plus(y).Squared() + new[] { x, 2 * y }.SumOfSquares();
                }
                """, note: "C# 14 extension members (extension(double v) { ... }) as helpers: the block's parameter is the receiver") with
        {
            WholeFile = true,
            Language = Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview,
            Targets = [new Target { Closed = x => [2 * x[0] + 2 * (x[0] + x[1]) + 2 * x[0], 3 * x[1] * x[1] + 2 * (x[0] + x[1]) + 8 * x[1]] }],
        };
        yield return G("CoalesceAssignmentOnANullArrayLocal", """
                [Differentiable] public static double F(double x, double y)
                {
                    double[]? d = null;
                    d ??= new[] { x, y };
                    double[]? e = new[] { y };
                    e ??= new[] { x };
                    return d[0] * d[1] + e[0];
                }
            """, x => [x[1], x[0] + 1], "??= on an array local known to be null (its null test was printed as 'default is not null', CS8716 with the SDK's compiler)");
        yield return G("ArraySliceByRangePassedToAHelper", """
                static double SumSq(ReadOnlySpan<double> v) { double s = 0; foreach (var e in v) s += e * e; return s; }
                [Differentiable] public static double F(double[] x) => SumSq(x[1..]) + SumSq(x.AsSpan(0, 1)) * 3;
            """, x => [6 * x[0], 2 * x[1], 2 * x[2]], N9 + " §1.3: slices passed to helpers") with { Language = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp13 };
        yield return G("SpanSliceMethod", """
                [Differentiable] public static double F(ReadOnlySpan<double> x)
                {
                    var head = x.Slice(0, 2);
                    var rest = x.Slice(2);
                    return head[0] * head[1] + rest[0] * rest[rest.Length - 1];
                }
            """, note: "Span.Slice") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["x"] = 4 }, Closed = x => [x[1], x[0], x[3], x[2]] }],
        };
        yield return G("LocalArrayPassedToAHelper", """
                static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
                [Differentiable] public static double F(double x, double y)
                {
                    double[] w = new double[2];
                    w[0] = x;
                    w[1] = y;
                    return Dot(w, w) + Dot(new[] { x, 1.0 }, w);
                }
            """, x => [2 * x[0] + 2 * x[0], 2 * x[1] + 1], N9 + " §1.3: a local array and an array literal passed to a helper");
        yield return G("ArrayCreatedInsideALoop", """
                [Differentiable] public static double F(double[] w, int n)
                {
                    double s = 0;
                    for (int k = 0; k < n; k++)
                    {
                        var h = new double[w.Length];
                        for (int i = 0; i < w.Length; i++) h[i] = Math.Tanh(w[i] * (k + 1));
                        for (int i = 0; i < h.Length; i++) s += h[i] * h[i];
                    }

                    return s;
                }
            """, note: N9 + " §1.1: arrays created inside loops") with { Targets = [new Target { Data = new Dictionary<string, string> { ["n"] = "2" }, Low = -0.8, High = 0.8 }] };
        yield return G("CollectionExpressionAndArrayInitializer", """
                [Differentiable] public static double F(double x, double y)
                {
                    double[] a = [x, y, x * y];
                    double[] b = { y, x };
                    return a[0] * b[0] + a[2] * b[1];
                }
            """, x => [x[1] + 2 * x[0] * x[1], x[0] + x[0] * x[0]], N9 + " §1.5: collection expressions and array initializers");
        yield return G("LocalRectangularMatrix", """
                [Differentiable] public static double F(double a, double b)
                {
                    var m = new double[2, 2];
                    m[0, 0] = a; m[0, 1] = b;
                    m[1, 0] = -b; m[1, 1] = a;
                    double det = 0;
                    det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0];
                    return det * m.GetLength(0);
                }
            """, x => [4 * x[0], 4 * x[1]], N9 + " §1.6: local rectangular matrices");
        yield return G("LocalJaggedMatrix", """
                [Differentiable] public static double F(double a, double b)
                {
                    var m = new double[2][];
                    m[0] = new double[] { a, b };
                    m[1] = new double[2];
                    m[1][0] = a * b;
                    m[1][1] = m[0][0] + m[0][1];
                    return m[1][0] * m[1][1];
                }
            """, x => [x[1] * (x[0] + x[1]) + x[0] * x[1], x[0] * (x[0] + x[1]) + x[0] * x[1]], N9 + " §1.6: local jagged matrices");
        yield return G("DataMatricesJaggedAndRectangular", """
                [Differentiable] public static double F(double[] w, [NoDerivative] double[][] rows, [NoDerivative] double[,] grid)
                {
                    double s = 0;
                    foreach (var row in rows)
                        for (int j = 0; j < row.Length; j++) s += w[j] * row[j];
                    for (int i = 0; i < grid.GetLength(0); i++)
                        for (int j = 0; j < grid.GetLength(1); j++) s += w[j] * w[j] * grid[i, j];
                    return s;
                }
            """, note: "data matrices") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["w"] = 2 }, Closed = x => [(0.5 - 1.0) + 2 * x[0] * (0.5 - 1.0), (1.5 + 2.0) + 2 * x[1] * (1.5 + 2.0)] }],
        };
        yield return G("ArrayCopiedThenWritten", """
                [Differentiable] public static double F(double[] x)
                {
                    var copy = x.ToArray();
                    copy[0] *= copy[1];
                    var clone = (double[])x.Clone();
                    clone[2] = 0;
                    return copy[0] + clone[1] * clone[2] + copy[2];
                }
            """, x => [x[1], x[0], 1], "a copy of the input array, written");
        yield return G("ArrayClearAndFill", """
                [Differentiable] public static double F(double x)
                {
                    var a = new double[3];
                    Array.Fill(a, x);
                    a.AsSpan(1).Fill(2 * x);
                    Array.Clear(a, 2, 1);
                    return a[0] * a[1] + a[2];
                }
            """, x => [4 * x[0]], "Array.Fill, Span.Fill, Array.Clear on a local array");
        yield return E("UnsafePointerToALocal", "SG0017", """
                [Differentiable] public static unsafe double F(double x)
                {
                    double y = x * 2;
                    double* p = [|&y|];
                    *p = *p * x;
                    return y;
                }
            """, "pointer") with { Note = S5 + ": unsafe code (a write through a pointer cannot be followed)" };
        yield return E("FixedStatement", "SG0016", """
                [Differentiable] public static unsafe double F(double[] x)
                {
                    double s = 0;
                    [|fixed|] (double* p = x)
                    {
                        s = p[0] * p[1];
                    }

                    return s;
                }
            """, "fixed") with { Note = S5 + ": unsafe code" };
        yield return G("UnsafeMethodWithoutPointers", """
                [Differentiable] public static unsafe double F(double x) => sizeof(double) * x * x;
            """, x => [16 * x[0]], S5 + ": an unsafe method that uses no pointer");
        yield return E("VectorFromSystemNumerics", "SG0015", """
                [Differentiable] public static double F(double x)
                {
                    var v = [|new System.Numerics.Vector2((float)x, 2f)|];
                    return System.Numerics.Vector2.Dot(v, v);
                }
            """, "Vector2", "derivative is not known") with
        {
            SaysNot = ["mark it [Differentiable]"],
            Note = "a BCL struct whose source is not in the compilation: the advice must not be to mark a BCL method [Differentiable]",
        };
        yield return E("ComplexNumbersFromTheBcl", "SG0017", """
                [Differentiable] public static double F(double x)
                {
                    var z = new System.Numerics.Complex(x, 1);
                    return ([|z * z|]).Real;
                }
            """, "Complex", "fields") with { Also = ["SG0015@F"], Note = "System.Numerics.Complex: refused at the operator (and at its creation from x, in the same round)" };
    }
}
