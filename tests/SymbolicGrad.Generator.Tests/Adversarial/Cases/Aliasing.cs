namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>Which array, span or struct a name refers to, when that changes: in branches, in loops, through ?:.</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Aliasing()
    {
        const string A = "issue 8 §1: arrays, spans and structs reassigned";

        yield return E("SpanShrunkInALoop", "SG0006", """
                [Differentiable] public static double F(ReadOnlySpan<double> x)
                {
                    double s = 0;
                    int k = 1;
                    while (x.Length > 0)
                    {
                        s += x[0] * k++;
                        [|x = x[1..]|];
                    }

                    return s * s;
                }
            """, "span", "loop", "x.AsSpan(offset, n)") with { Note = A + " (a span parameter sliced in a loop: refused at the assignment that changes it, with a rewrite)" };
        yield return G("ConditionalSpan", """
                [Differentiable] public static double F(ReadOnlySpan<double> a, ReadOnlySpan<double> b, bool first)
                {
                    ReadOnlySpan<double> v = first ? a : b;
                    return v[0] * v[1];
                }
            """, note: A + " (a span chosen by ?:)") with
        {
            Targets =
            [
                new Target { Lengths = new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 }, Data = new Dictionary<string, string> { ["first"] = "true" }, Closed = x => [x[1], x[0], 0, 0] },
                new Target { Lengths = new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 }, Data = new Dictionary<string, string> { ["first"] = "false" }, Closed = x => [0, 0, x[3], x[2]] },
            ],
        };
        yield return G("ConditionalArrayIndexed", """
                [Differentiable] public static double F(double[] a, double[] b) => (a[0] > b[0] ? a : b)[1] * a[0];
            """, note: A + " (indexing a ?: of arrays)") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 }, Closed = x => x[0] > x[2] ? [x[1] + 0, x[0], 0, 0] : [x[3], 0, 0, x[0]] }],
        };
        yield return G("DoubleBufferedArraysSwappedInALoop", """
                [Differentiable] public static double F(double[] x)
                {
                    var cur = x.ToArray();
                    var next = new double[x.Length];
                    for (int step = 0; step < 3; step++)
                    {
                        for (int i = 0; i < cur.Length; i++) next[i] = 0.5 * (cur[i] + cur[(i + 1) % cur.Length]) * cur[i];
                        (cur, next) = (next, cur);
                    }

                    double s = 0;
                    foreach (var v in cur) s += v;
                    return s;
                }
            """, note: "issue 9 §1.9: double-buffered arrays swapped in a loop");
        yield return G("LocalArrayReassignedInALoop", """
                [Differentiable] public static double F(double x, int n)
                {
                    var a = new double[] { x, 1 };
                    var b = new double[] { 2, x };
                    double s = 0;
                    for (int i = 0; i < n; i++)
                    {
                        var t = a;
                        a = b;
                        b = t;
                        s += a[0] * a[1];
                    }

                    return s;
                }
            """, x => [2 + 1 + 2], A + " (local arrays swapped through a temporary, n = 3)");
        yield return G("StructParameterModifiedInABranch", Usings + "namespace $NS;\n" + """
                public struct Vec3 { public double X; public double Y; public double Z; }
                public static partial class C
                {
                    [Differentiable] public static double F(Vec3 v, bool flip)
                    {
                        if (flip) { v.X = -v.X; v.Z *= v.Y; }
                        return v.X * v.Y + v.Z;
                    }
                }
                """, note: A + " (a struct parameter written in a branch)") with
        {
            WholeFile = true,
            Targets =
            [
                new Target { ViaObjective = true, ObjectiveArguments = "true", Closed = x => [-x[1], -x[0] + x[2], x[1]] },
                new Target { ViaObjective = true, ObjectiveArguments = "false", Closed = x => [x[1], x[0], 1] },
            ],
        };
        yield return G("StructLocalReassignedInALoop", Usings + "namespace $NS;\n" + """
                public struct P { public double A; public double B; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var p = new P { A = x, B = 1 };
                        for (int i = 0; i < 3; i++)
                        {
                            p = new P { A = p.A * x, B = p.B + p.A };
                        }

                        return p.A + p.B;
                    }
                }
                """, x => [4 * Math.Pow(x[0], 3) + 1 + 2 * x[0] + 3 * x[0] * x[0]], A + " (a struct local overwritten each iteration)") with { WholeFile = true };
        yield return G("JaggedLocalRowsReassigned", """
                [Differentiable] public static double F(double x, bool swap)
                {
                    var rows = new double[2][];
                    rows[0] = new[] { x, 2 * x };
                    rows[1] = new[] { 3.0, x * x };
                    if (swap) (rows[0], rows[1]) = (rows[1], rows[0]);
                    return rows[0][1] * rows[1][0];
                }
            """, note: A + " (rows of a local jagged array swapped in a branch)") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["swap"] = "true" }, Closed = x => [3 * x[0] * x[0]] },
                new Target { Data = new Dictionary<string, string> { ["swap"] = "false" }, Closed = x => [6] },
            ],
        };
        yield return G("ArrayParameterReassignedInALoop", """
                [Differentiable] public static double F(double[] a, double[] b)
                {
                    double s = 0;
                    for (int i = 0; i < 4; i++)
                    {
                        s += a[0] * (i + 1);
                        (a, b) = (b, a);
                    }

                    return s;
                }
            """, note: A + " (two array parameters swapped each iteration)") with
        {
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["a"] = 1, ["b"] = 1 }, Closed = x => [1 + 3, 2 + 4] }],
        };
        yield return G("ThreeArrayParametersRotatedInALoop", """
                [Differentiable] public static double F(double[] a, double[] b, double[] c)
                {
                    double s = 0;
                    for (int i = 0; i < 5; i++)
                    {
                        s += a[0] * (i + 1) + b[0] * c[0];
                        (a, b, c) = (b, c, a);
                    }

                    return s;
                }
            """, note: A + " (a cycle of three views: a in iteration k is the k mod 3'th)") with
        {
            // s = 5a + 7b + 3c + 2bc + 2ca + ab
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1 }, Closed = x => [5 + 2 * x[2] + x[1], 7 + 2 * x[2] + x[0], 3 + 2 * x[1] + 2 * x[0]] }],
        };
        yield return G("DoubleBufferedTimeStepping", """
                [Differentiable] public static double F(double[] u0, [NoDerivative] int steps)
                {
                    int n = u0.Length;
                    double[] cur = new double[n];
                    double[] next = new double[n];
                    for (int i = 0; i < n; i++) cur[i] = u0[i];
                    for (int t = 0; t < steps; t++)
                    {
                        for (int i = 1; i < n - 1; i++) next[i] = cur[i] + 0.1 * (cur[i - 1] - 2 * cur[i] + cur[i + 1]) * cur[i];
                        next[0] = cur[0];
                        next[n - 1] = cur[n - 1];
                        (cur, next) = (next, cur);
                    }

                    double s = 0;
                    for (int i = 0; i < n; i++) s += cur[i] * cur[i];
                    return s;
                }
            """, note: A + " (#9 item 9: two local buffers swapped after each time step, the one written overwritten each step)") with
        {
            Targets =
            [
                new Target { Lengths = new Dictionary<string, int> { ["u0"] = 5 }, Data = new Dictionary<string, string> { ["steps"] = "3" } },
                new Target { Lengths = new Dictionary<string, int> { ["u0"] = 4 }, Data = new Dictionary<string, string> { ["steps"] = "0" }, Closed = x => x.Select(v => 2 * v).ToArray() },
            ],
        };
        yield return E("WriteThroughAnArraySwappedWithAParameter", "SG0018", """
                [Differentiable] public static double F(double[] a, double x)
                {
                    var b = new[] { x, 2 * x };
                    double s = 0;
                    for (int t = 0; t < 5; t++)
                    {
                        [|b[0]|] = s;
                        s += a[0] * a[^1] * (t + 1);
                        (a, b) = (b, a);
                    }

                    return s;
                }
            """, "the parameter 'a'") with { Note = A + " (in odd iterations b is the caller's array: the write is refused, while b's creation before the loop is not)" };
        yield return G("SpanParametersSwappedInALoop", """
                [Differentiable] public static double F(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
                {
                    double s = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        s += a[0] * a[1] * (i + 1);
                        var t = a;
                        a = b;
                        b = t;
                    }

                    return s;
                }
            """, note: A + " (spans swapped through a temporary)") with
        {
            // s = 4·a0·a1 + 2·b0·b1
            Targets = [new Target { Lengths = new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 }, Closed = x => [4 * x[1], 4 * x[0], 2 * x[3], 2 * x[2]] }],
        };
        yield return G("SpanOfAStackallocChosenInABranch", """
                [Differentiable] public static double F(double x, bool big)
                {
                    Span<double> small = stackalloc double[2];
                    double[] large = new double[4];
                    Span<double> v = big ? large : small;
                    v[0] = x;
                    v[v.Length - 1] = x * x;
                    return v[0] * v[v.Length - 1] + large[0];
                }
            """, note: A + " (a span over either a stackalloc or an array)") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["big"] = "true" }, Closed = x => [3 * x[0] * x[0] + 1] },
                new Target { Data = new Dictionary<string, string> { ["big"] = "false" }, Closed = x => [3 * x[0] * x[0]] },
            ],
        };
    }
}
