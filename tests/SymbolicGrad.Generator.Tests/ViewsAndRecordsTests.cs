using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Issue #9: spans that a loop re-points (ADBench LSTM's <c>xp = s.Slice(...)</c> and <c>input = ygold</c>), records
/// and tuples read from data. Each is checked against a closed form and numeric differences; the shapes that stay
/// refused are checked to be one precise SG0006.
/// </summary>
public class ViewsAndRecordsTests
{
    private const double W0 = 1.3, W1 = -0.6, X0 = 0.7, X1 = -0.4;

    /// <summary>
    /// Layers as in the LSTM: the layer input is a span that starts on a local array and is re-pointed at the slice of
    /// the state the layer wrote. f = Σ_t (w0 w1)² Σ_j (x_j + t)², t = 0, 1: the inner loop's view is needed by the
    /// reverse sweep in each layer (iteration k reads the view of iteration k − 1) and after the layer loop (its final
    /// view, after n iterations), and adjoints flow through the views into the state's adjoint.
    /// </summary>
    [Fact]
    public void SpanRepointedAtTheSliceALayerWrote()
    {
        double w = W0 * W1 * W0 * W1, q = X0 * X0 + X1 * X1 + (X0 + 1) * (X0 + 1) + (X1 + 1) * (X1 + 1);
        Expect.Gradient(
            """
                [Differentiable] public static double F(double[] x, double[] w)
                {
                    var s = new double[4];
                    var h = new double[2];
                    double total = 0;
                    for (int t = 0; t < 2; t++)
                    {
                        for (int j = 0; j < 2; j++) h[j] = x[j] + t;
                        ReadOnlySpan<double> xp = h;
                        for (int i = 0; i < 2; i++)
                        {
                            for (int j = 0; j < 2; j++) s[i * 2 + j] = xp[j] * w[i];
                            xp = s.AsSpan(i * 2, 2);
                        }

                        for (int j = 0; j < 2; j++) total += xp[j] * xp[j];
                    }

                    return total;
                }
            """,
            "F",
            new[] { X0, X1, W0, W1 },
            new[] { 2 * w * (2 * X0 + 1), 2 * w * (2 * X1 + 1), 2 * W0 * W1 * W1 * q, 2 * W1 * W0 * W0 * q },
            2,
            2);
    }

    /// <summary>
    /// The sequence loop's <c>input = ygold</c>: a view of data re-pointed each step, read by a helper; and a loop with
    /// no iteration (the initial view is the final one). f = Σ_{t&lt;2} a · (d[t+1] · d[t]) with input_0 = d[0..1].
    /// </summary>
    [Fact]
    public void DataViewRepointedEachStep()
    {
        var d = new[] { 0.5, -1.5, 2.0, 0.25 };
        Expect.Gradient(
            """
                static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v) => u[0] * v[0] + u[1] * v[1];
                [Differentiable] public static double F(double a, double b, [NoDerivative] double[] d, [NoDerivative] int empty)
                {
                    ReadOnlySpan<double> input = d.AsSpan(0, 2);
                    double s = 0;
                    for (int t = 0; t < 1; t++)
                    {
                        var gold = d.AsSpan((t + 1) * 2, 2);
                        s += a * a * Dot(gold, input);
                        input = gold;
                    }

                    ReadOnlySpan<double> last = input;
                    for (int t = 0; t < empty; t++)
                    {
                        last = d.AsSpan(t, 2);
                    }

                    return s + b * Dot(last, last);
                }
            """,
            "F",
            new[] { 0.9, -0.3 },
            new[] { 2 * 0.9 * (d[2] * d[0] + d[3] * d[1]), d[2] * d[2] + d[3] * d[3] },
            d,
            0);
    }

    /// <summary>The adjoint goes into the array each iteration's view was taken from: each layer doubles the previous one's slice.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AdjointsAccumulateThroughEachIterationsView(int layers) => Expect.Gradient(
        """
            [Differentiable] public static double F(double x, [NoDerivative] int layers)
            {
                var s = new double[2 * (layers + 1)];
                s[0] = x;
                s[1] = x * x;
                Span<double> cur = s.AsSpan(0, 2);
                for (int i = 0; i < layers; i++)
                {
                    var next = s.AsSpan(2 * (i + 1), 2);
                    next[0] = 2 * cur[0] * cur[1];
                    next[1] = cur[1];
                    cur = next;
                }

                return cur[0] + cur[1];
            }
        """,
        "F",
        new[] { 0.8 },
        // cur after n layers: (2^n · x^(n·2+1)... ) computed: c0_n = 2 c0 c1, c1 = x²: c0_n = 2^n x^(2n+1); f = 2^n x^(2n+1) + x².
        new[] { Math.Pow(2, layers) * (2 * layers + 1) * Math.Pow(0.8, 2 * layers) + 2 * 0.8 },
        layers);

    /// <summary>
    /// Counted loops that run down and step by 2: iteration k − 1's view is taken again from the counter's start and
    /// step. Two layers of (2·c0·c1, c1) from (x, x²): f = 4x⁵ + x².
    /// </summary>
    [Theory]
    [InlineData("for (int i = 1; i >= 0; i--)", "s.AsSpan(i * 2, 2)", "s.AsSpan(4, 2)")]
    [InlineData("for (int i = 0; i < 4; i += 2)", "s.AsSpan(i + 2, 2)", "s.AsSpan(0, 2)")]
    public void SpanRepointedByCountersThatRunDownOrStep(string loop, string view, string start) => Expect.Gradient(
        "    [Differentiable] public static double F(double x)\n    {\n        var s = new double[6];\n" +
        "        Span<double> cur = " + start + ";\n        cur[0] = x;\n        cur[1] = x * x;\n" +
        "        " + loop + "\n        {\n            var next = " + view + ";\n" +
        "            next[0] = 2 * cur[0] * cur[1];\n            next[1] = cur[1];\n            cur = " + view + ";\n        }\n\n" +
        "        return cur[0] + cur[1];\n    }",
        "F",
        new[] { 0.8 },
        new[] { 20 * Math.Pow(0.8, 4) + 2 * 0.8 });

    /// <summary>
    /// A span sliced from itself in each iteration (cur = cur.Slice(1)) is the first view's tail from k in iteration k
    /// (refused with SG0006 before; see WalkedViewTests): t = x0·x1 + x1·x2.
    /// </summary>
    [Fact]
    public void SpanSlicedFromItself() => Expect.Gradient(
        """
            [Differentiable] public static double F(double[] x)
            {
                var s = (double[])x.Clone();
                Span<double> cur = s;
                double t = 0;
                for (int i = 0; i < 2; i++)
                {
                    t += cur[0] * cur[1];
                    cur = cur.Slice(1);
                }

                return t;
            }
        """,
        "F", new[] { 0.5, -1.25, 2.0 }, new[] { -1.25, 2.5, -1.25 }, 3);

    /// <summary>A span sliced from itself by the counter (cur = cur.Slice(i)) walks by a changing step: still SG0006 at the loop.</summary>
    [Fact]
    public void SpanSlicedFromItselfByTheCounterStaysRefused() => Expect.Refused(
        """
            [Differentiable] public static double F(double[] x)
            {
                var s = (double[])x.Clone();
                Span<double> cur = s;
                double t = 0;
                [|for (int i = 0; i < 2; i++)|]
                {
                    t += cur[0] * cur[1];
                    cur = cur.Slice(i);
                }

                return t;
            }
        """,
        "SG0006", "chooses or re-points from one iteration to the next", "s.Slice(i * n, n)");

    /// <summary>
    /// Two spans swapped each iteration (double buffering of views, through a temporary: C# has no tuples of spans):
    /// the reverse loop takes the view of iteration k again, a for even k and b for odd k (refused with SG0006 before).
    /// t = x0·x3 + x2·x1.
    /// </summary>
    [Fact]
    public void SpansSwappedInALoop() => Expect.Gradient(
        """
            [Differentiable] public static double F(double[] x)
            {
                var s = (double[])x.Clone();
                Span<double> a = s.AsSpan(0, 2), b = s.AsSpan(2, 2);
                double t = 0;
                for (int i = 0; i < 2; i++)
                {
                    t += a[0] * b[1];
                    var swap = a;
                    a = b;
                    b = swap;
                }

                return t;
            }
        """,
        "F", new[] { 0.5, -1.25, 2.0, 0.75 }, new[] { 0.75, 2.0, -1.25, 0.5 }, 4);

    /// <summary>
    /// A swap under an if in the loop is not a fixed permutation: which view each span holds is carried from one
    /// iteration to the next as an int beside it, stored for the reverse (refused with SG0006 before). At
    /// (1, 0.5, 2, 1.5) the loop swaps in every iteration: t = x0·x3 + x2·x1 + x0·x3.
    /// </summary>
    [Fact]
    public void SpansSwappedUnderAnIf() => Expect.Gradient(
        """
            [Differentiable] public static double F(double[] x)
            {
                var s = (double[])x.Clone();
                Span<double> a = s.AsSpan(0, 2), b = s.AsSpan(2, 2);
                double t = 0;
                for (int i = 0; i < 3; i++)
                {
                    t += a[0] * b[1];
                    if (t > 1)
                    {
                        var swap = a;
                        a = b;
                        b = swap;
                    }
                }

                return t;
            }
        """,
        "F", new[] { 1.0, 0.5, 2.0, 1.5 }, new[] { 3.0, 2.0, 0.5, 2.0 }, 4);

    /// <summary>The same swap where it happens only in the first iteration (t = x0·x3 + 2·x2·x1 at (1, 0.25, 2, 1.5)).</summary>
    [Fact]
    public void SpansSwappedOnceUnderAnIf() => Expect.Gradient(
        """
            [Differentiable] public static double F(double[] x)
            {
                var s = (double[])x.Clone();
                Span<double> a = s.AsSpan(0, 2), b = s.AsSpan(2, 2);
                double t = 0;
                for (int i = 0; i < 3; i++)
                {
                    t += a[0] * b[1];
                    if (i == 0 && t > 1)
                    {
                        var swap = a;
                        a = b;
                        b = swap;
                    }
                }

                return t;
            }
        """,
        "F", new[] { 1.0, 0.25, 2.0, 1.5 }, new[] { 1.5, 4.0, 0.5, 1.0 }, 4);

    /// <summary>A positional record struct's properties read from a [NoDerivative] array element, by index and by deconstruction.</summary>
    [Fact]
    public void RecordStructDataByIndexAndDeconstruction() => Expect.GradientOf(
        """
            public readonly record struct Obs(double X, double Y);
            [Differentiable] public static double F(double w, [NoDerivative] Obs[] data)
            {
                double l = 0;
                for (int i = 0; i < data.Length; i++) l += w * data[i].X * data[i].Y;
                foreach (var (x, y) in data) l += w * w * x;
                return l;
            }
            public static DifferentiableFunction Make() => FObjective(new[] { new Obs(2, 1), new Obs(-1, 0.5) });
        """,
        "Make", new[] { 0.5 }, new[] { 2 * 1 + -1 * 0.5 + 2 * 0.5 * (2 - 1.0) });

    /// <summary>Nested tuples of data deconstructed in two levels, with a discard.</summary>
    [Fact]
    public void NestedDataTupleDeconstruction() => Expect.Gradient(
        """
            [Differentiable] public static double F(double a, [NoDerivative] ((double U, double V) P, double W)[] items)
            {
                double l = 0;
                foreach (var ((u, _), w) in items) l += w * Math.Sin(a * u);
                return l;
            }
        """,
        "F", new[] { 0.3 }, new[] { 2.0 * 1.5 * Math.Cos(0.3 * 1.5) + -1.0 * 0.5 * Math.Cos(0.3 * 0.5) },
        new object[] { new[] { ((1.5, 9.0), 2.0), ((0.5, 9.0), -1.0) } });

    /// <summary>
    /// A local array of tuples (held as one array per element of the tuple): read by index with its Length, replaced
    /// on one branch, passed to a helper and enumerated with deconstruction. f = Σ w·v over (a, 1), (b, 2), (a·b, 0.5),
    /// or over (b, 1) alone when a &gt; 5.
    /// </summary>
    [Theory]
    [InlineData(0.7, -0.4)]
    [InlineData(6.0, 0.3)]
    public void LocalArrayOfTuplesByIndexBranchAndHelper(double a, double b) => Expect.Gradient(
        """
            static double Weighted((double V, double W)[] items)
            {
                double s = 0;
                foreach (var (v, w) in items) s += w * v;
                return s;
            }

            [Differentiable] public static double F(double a, double b)
            {
                var pairs = new (double V, double W)[] { (a, 1), (b, 2.0), (a * b, 0.5) };
                if (a > 5) pairs = new[] { (b, 1.0) };
                double byIndex = 0;
                for (int i = 0; i < pairs.Length; i++) byIndex += pairs[i].W * pairs[i].V;
                return byIndex + Weighted(pairs);
            }
        """,
        "F",
        new[] { a, b },
        a > 5 ? new[] { 0.0, 2.0 } : new[] { 2 * (1 + 0.5 * b), 2 * (2 + 0.5 * a) });

    /// <summary>
    /// Writing an element of a local array of tuples, whole or one member, stores into the arrays that hold it (it was
    /// SG0017, "create the array again", until rt-adbench): the pairs end as (2a, 3) and (a + a², 3a), so
    /// f = 6a + 3a² + 3a³ and f′ = 6 + 6a + 9a².
    /// </summary>
    [Theory]
    [InlineData(0.7)]
    [InlineData(-1.3)]
    public void WritingAnElementOfALocalTupleArray(double a) => Expect.Gradient(
        """
            [Differentiable] public static double F(double a)
            {
                var pairs = new (double V, double W)[] { (a, 1), (a, 2) };
                pairs[0] = (2 * a, 3);
                pairs[1].V += a * a;
                pairs[^1].W = pairs[0].W * a;
                return pairs[0].V * pairs[0].W + pairs[1].V * pairs[1].W;
            }
        """,
        "F",
        new[] { a },
        new[] { 6 + (3 * ((2 * a) + (3 * a * a))) });
}
