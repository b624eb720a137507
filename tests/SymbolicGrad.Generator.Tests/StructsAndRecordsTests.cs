using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Issue #9 item 5: user structs and record structs with double fields, built and read the ways C# allows. Each
/// source holds several [Differentiable] methods, compiled once; each method's value and gradient are checked against
/// a closed form and against numeric differences. Constructions the generator cannot model are one precise SG error.
/// </summary>
public class StructsAndRecordsTests
{
    /// <summary>
    /// Primary constructors by their semantics: the parameters are in scope of the field and property initializers,
    /// which run; the compiler's positional properties take their parameters; a positional property the user declares
    /// keeps its own initializer; other constructors chain to the primary one with : this(...); new R() is default(R),
    /// with no initializer run.
    /// </summary>
    [Fact]
    public void PrimaryConstructorsRunTheirInitializers()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public record struct Twice(double X) { public double Double = 2 * X; }
                public readonly record struct Summed(double X, double Y) { public double Sum { get; } = X + Y; }
                public record struct Chained(double X, double Y) { public Chained(double x) : this(x, 3 * x) { } }
                public struct Plain(double a) { public double A { get; } = a * a; }
                public record struct Redeclared(double X) { public double X { get; init; } = X * 5; }
                public record struct Accessors(double X) { public double X { get => _x; init => _x = value * 2; } private double _x = X + 1; }
                public record struct Optional(double X, double Y = 2);
                public struct Parenthesized(double a) { public double A = (a * a); public double B { get; } = (a + 1); }

                [Differentiable] public static double F1(double x) { var r = new Twice(x); return r.Double * r.X; }
                [Differentiable] public static double F2(double x, double y) { var r = new Summed(x, y); return r.Sum * r.X; }
                [Differentiable] public static double F3(double x) { var r = new Chained(x); return r.Y * r.X; }
                [Differentiable] public static double F4(double x) => new Plain(x).A * x;
                [Differentiable] public static double F5(double x) => new Redeclared(x).X * x;
                [Differentiable] public static double F6(double x) { var r = new Accessors(x); var s = r with { X = 3 * x }; return r.X * s.X; }
                [Differentiable] public static double F7(double x) { var r = new Optional(x); return r.X * r.Y; }
                [Differentiable] public static double F8(double x) { var r = new Twice(); return r.Double + r.X + x; }
                [Differentiable] public static double F9(double x) { var r = new Parenthesized(x); return r.A * r.B; }
            """));

        const double X = 1.5, Y = -0.75;
        Check(assembly, "F1", new[] { X }, 2 * X * X, 4 * X);
        Check(assembly, "F2", new[] { X, Y }, (X + Y) * X, 2 * X + Y, X);
        Check(assembly, "F3", new[] { X }, 3 * X * X, 6 * X);
        Check(assembly, "F4", new[] { X }, X * X * X, 3 * X * X);
        Check(assembly, "F5", new[] { X }, 5 * X * X, 10 * X);
        Check(assembly, "F6", new[] { X }, (X + 1) * 6 * X, 12 * X + 6);
        Check(assembly, "F7", new[] { X }, 2 * X, 2);
        Check(assembly, "F8", new[] { X }, X, 1);
        Check(assembly, "F9", new[] { X }, X * X * (X + 1), 3 * X * X + 2 * X);
    }

    /// <summary>
    /// Explicit constructors of ordinary structs: field initializers run before the body, : this() runs them on a
    /// zeroed value, and a constructor chained to with : this(k) runs them itself.
    /// </summary>
    [Fact]
    public void ExplicitConstructorsChainAndRunInitializers()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public struct Zeroed { public double A = 5; public double B; public Zeroed(double k) : this() { B = A + k; } }
                public struct Two { public double A = 5; public double B; public Two(double k) { B = A * k; } public Two(double k, double m) : this(k) { B += m; } }
                public readonly struct GetOnly { public GetOnly(double x) { X = x; Y = X * X; } public double X { get; } public double Y { get; } }

                [Differentiable] public static double F1(double x) { var q = new Zeroed(x); return q.A * q.B; }
                [Differentiable] public static double F2(double x) { var q = new Two(x, x * x); return q.A * q.B; }
                [Differentiable] public static double F3(double x) { var q = new GetOnly(x); return q.X + q.Y; }
            """));

        const double X = 0.8;
        Check(assembly, "F1", new[] { X }, 5 * (5 + X), 5);
        Check(assembly, "F2", new[] { X }, 5 * (5 * X + X * X), 25 + 10 * X);
        Check(assembly, "F3", new[] { X }, X + X * X, 1 + 2 * X);
    }

    /// <summary>
    /// An ordinary struct's primary constructor parameter that its members read (the compiler keeps it in a hidden
    /// field): carried by the struct's value, read by properties and methods, written by a mutating method (on the
    /// variable it is called on; a copy keeps its own).
    /// </summary>
    [Fact]
    public void PrimaryConstructorParametersReadByMembers()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public struct Kept(double a) { public double A => a; }
                public struct Scaled(double a, double b)
                {
                    public double Sum = a + b;
                    public double B => b;
                    public void Scale(double k) { a *= k; }
                    public readonly double Product() => a * b;
                }

                [Differentiable] public static double F1(double x) { var s = new Kept(x * x); return s.A * x; }
                [Differentiable] public static double F2(double x, double y)
                {
                    var c = new Scaled(x, y);
                    c.Scale(y);
                    var d = c;
                    d.Scale(2);
                    return c.Product() + c.Sum * d.Product() + d.B;
                }
            """));

        const double X = 1.5, Y = 2;
        Check(assembly, "F1", new[] { X }, X * X * X, 3 * X * X);

        // c = (xy, y), Sum = x + y; d = (2xy, y): f = xy² + (x + y) 2xy² + y.
        Check(assembly, "F2", new[] { X, Y }, X * Y * Y + (X + Y) * 2 * X * Y * Y + Y, Y * Y + 4 * X * Y * Y + 2 * Y * Y * Y, 2 * X * Y + 4 * X * X * Y + 6 * X * Y * Y + 1);
    }

    /// <summary>An initializer that writes outside the struct is refused where it writes, as in a helper.</summary>
    [Fact]
    public void InitializerWritingAStaticFieldIsRefused() => Expect.Refused(
        """
            public static double Count;
            public struct Counted(double a) { public double A = ([|Count|] = a); }
            [Differentiable] public static double F(double x) => new Counted(x).A;
        """,
        "SG0018", "'Count'");

    /// <summary>A struct that keeps a primary constructor parameter in a hidden field cannot be a differentiated parameter: its gradient could not be built.</summary>
    [Fact]
    public void StructParameterWithAHiddenFieldIsRefused() => Expect.Refused(
        """
            public struct Kept(double a) { public double A => a; }
            [Differentiable] public static double F(Kept [|s|]) => s.A;
        """,
        "SG0006", "hidden field", "public double A { get; } = a;");

    /// <summary>
    /// A struct parameter without settable members gets its gradient through a constructor only when the constructor
    /// stores each parameter unchanged in its field (parameters in any order, X = x; this.Y = y; (X, Y) = (x, y); or a
    /// positional record struct): one that transforms a parameter (X = 2 * x) would build a wrong gradient, so it is refused.
    /// </summary>
    [Fact]
    public void GradientsBuiltByConstructorsThatStoreEachParameter()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public readonly record struct Positional(double X, double Y) { public double X { get; } = X; }
                public readonly struct Swapped { public Swapped(double y, double x) { this.Y = y; X = x; } public double X { get; } public double Y { get; } }
                public readonly struct Tupled { public Tupled(double x, double y) => (X, Y) = (x, y); public double X { get; } public double Y { get; } }

                [Differentiable] public static double F1(Positional p) => p.X * p.Y * p.Y;
                [Differentiable] public static double F2(Swapped p) => p.X * p.Y * p.Y;
                [Differentiable] public static double F3(Tupled p) => p.X * p.Y * p.Y;
                public static double[] Gradients()
                {
                    F1Gradient(new Positional(1.5, 2), out var d1);
                    F2Gradient(new Swapped(2, 1.5), out var d2);
                    F3Gradient(new Tupled(1.5, 2), out var d3);
                    return new[] { d1.X, d1.Y, d2.X, d2.Y, d3.X, d3.Y };
                }
            """));

        // f = x y²: (y², 2xy) = (4, 6) at (1.5, 2), in each struct's own fields.
        var g = (double[])assembly.GetType("Demo.C")!.GetMethod("Gradients")!.Invoke(null, null)!;
        Assert.Equal(new[] { 4.0, 6, 4, 6, 4, 6 }, g);
    }

    /// <summary>Before: the gradient was built as new Doubled(dX, dY), which stored 2 dX (a silently wrong gradient).</summary>
    [Fact]
    public void ConstructorThatTransformsItsParameterIsNotUsedForTheGradient() => Expect.Refused(
        """
            public readonly struct Doubled { public Doubled(double x, double y) { X = 2 * x; Y = y; } public double X { get; } public double Y { get; } }
            [Differentiable] public static double F(Doubled [|q|]) => q.X * q.Y;
        """,
        "SG0006", "gradient cannot be built", "stores each parameter unchanged");

    /// <summary>The [Differentiable] method of a struct reading its own primary constructor parameter: this is the caller's value, refused with the rewrite.</summary>
    [Fact]
    public void HostReadingItsPrimaryConstructorParameterIsRefused() => Expect.Refused(
        """
            public partial struct Host(double scale)
            {
                [Differentiable] public double F(double x) => [|scale|] * x;
            }
        """,
        "SG0006", "'scale'", "public double A { get; } = scale;");

    /// <summary>
    /// Computed properties, indexers and set/init accessors of structs are inlined like methods: in reads, in
    /// assignments and compound assignments, in object initializers and with-expressions.
    /// </summary>
    [Fact]
    public void AccessorsAndIndexersAreInlined()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public struct Cell
                {
                    private double _v;
                    public double V { get => _v; set => _v = value * value; }
                    public double this[int i] { get => i == 0 ? _v : 2 * _v; set => _v = value + i; }
                    public readonly double Norm => Math.Sqrt(_v * _v + 1);
                }

                [Differentiable] public static double F1(double x) { var m = new Cell(); m.V = x; m.V += x; return m.V; }
                [Differentiable] public static double F2(double x) { var m = new Cell { V = x }; m[1] = x * m[0]; m[1]++; return m[1] + m.Norm; }
            """));

        const double X = 1.5;

        // F1: _v = x², then V = (x² + x)². F2: _v = x², then x·x² + 1, then 2(x³ + 1) + 1 + 1 = 2x³ + 4; Norm = √(_v² + 1).
        Check(assembly, "F1", new[] { X }, Math.Pow(X * X + X, 2), 2 * (X * X + X) * (2 * X + 1));
        double v = 2 * X * X * X + 4;
        Check(assembly, "F2", new[] { X }, 2 * v + Math.Sqrt(v * v + 1), (2 + v / Math.Sqrt(v * v + 1)) * 6 * X * X);
    }

    /// <summary>
    /// Members of a struct value that is no variable (new V(x, y).Norm, Make(x)[1], Make(x).Scale(2)): C# runs them on a
    /// temporary copy, and so does the gradient (a mutating method does not make it a place to write).
    /// </summary>
    [Fact]
    public void MembersOfTemporaries()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public struct Loose
                {
                    public double X, Y;
                    public Loose(double x, double y) { X = x; Y = y; }
                    public double Norm => Math.Sqrt(X * X + Y * Y);
                    public double this[int i] => i == 0 ? X : Y;
                    public double Scaled(double k) { X *= k; return X; }
                }

                static Loose Make(double t) => new(t, 2 * t);

                [Differentiable] public static double F(double x, double y) => new Loose(x, y).Norm + Make(x)[1] + Make(y).Scaled(3);
            """));

        const double X = 1.5, Y = 2;
        double r = Math.Sqrt(X * X + Y * Y);
        Check(assembly, "F", new[] { X, Y }, r + 2 * X + 3 * Y, X / r + 2, Y / r + 3);
    }

    /// <summary>
    /// The [Differentiable] method of a struct using its own indexer and computed property (this is the caller's
    /// value, data): the accessors are inlined, reading this's fields. They were SG0017 "assigning to this".
    /// </summary>
    [Fact]
    public void HostStructUsesItsOwnIndexerAndComputedProperty()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public partial struct Host
                {
                    public double A, B;
                    public double this[int i] => i == 0 ? A : B;
                    public double Sum => A + B;
                    [Differentiable] public double F(double x) => this[0] * x + this[1] * x * x + Sum * x;
                }

                public static DifferentiableFunction MakeHost() => new Host { A = 2, B = 3 }.FObjective();
            """));

        // f = A x + B x² + (A + B) x at A = 2, B = 3.
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("MakeHost")!.Invoke(null, null)!;
        var g = new double[1];
        Assert.Equal(2 * 0.5 + 3 * 0.25 + 5 * 0.5, f.ValueAndGradient(new[] { 0.5 }, g), 12);
        Assert.Equal(2 + 2 * 3 * 0.5 + 5, g[0], 12);
        Assert.True(GradientCheck.Check(f, new[] { 0.5 }, Expect.Tight).Passed);
    }

    /// <summary>
    /// C# 14's field keyword: an accessor with a body around the compiler's backing field. Reads and writes go through
    /// the accessor that has a body (get; reads the field, set => field = 3 * value runs); property initializers write
    /// the field. As a [Differentiable] parameter such a struct is refused: p.X is not its field.
    /// </summary>
    [Fact]
    public void FieldKeywordAccessors()
    {
        const string Source = """
            using System;
            using SymbolicGrad;
            namespace Demo;
            public struct Tripled { public double X { get; set => field = value * 3; } public double Y { get => field * 2; set; } }
            public record struct Shifted(double X) { public double X { get; init => field = value + 1; } = X; }
            public static partial class C
            {
                [Differentiable] public static double F1(double x) { var s = new Tripled { X = x, Y = x * x }; s.X += 1; s.Y = s.X * x; return s.X * s.Y; }
                [Differentiable] public static double F2(double x) { var r = new Shifted(x) with { X = 2 * x }; return r.X * x + new Shifted(x).X; }
                [Differentiable] public static double F3(double x) { var s = new Tripled { Y = x }; s.Y += x; s.Y++; return s.Y; }
            }
            """;
        var run = RunPreview(Source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        var assembly = run.Load();

        // F1: field X = 3x, then 3(3x + 1); Y's field = (9x + 3)x, read doubled: f = 2x(9x + 3)². F2: (2x + 1)x + x.
        const double X = 1.5;
        Check(assembly, "F1", new[] { X }, 2 * X * (9 * X + 3) * (9 * X + 3), 2 * (9 * X + 3) * (9 * X + 3) + 36 * X * (9 * X + 3));
        Check(assembly, "F2", new[] { X }, (2 * X + 1) * X + X, 4 * X + 2);

        // F3: Y's field = x; += reads 2x and stores 3x; ++ reads 6x and stores 6x + 1; read: 12x + 2.
        Check(assembly, "F3", new[] { X }, 12 * X + 2, 12);

        const string Parameter = """
            using SymbolicGrad;
            namespace Demo;
            public struct Tripled { public double X { get; set => field = value * 3; } }
            public static partial class C
            {
                [Differentiable] public static double F(Tripled p) => p.X;
            }
            """;
        var refused = RunPreview(Parameter);
        var sg = Assert.Single(refused.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0006", sg.Id);
        Assert.Contains("property X has an accessor with a body", sg.GetMessage(), StringComparison.Ordinal);

        // A [Trainable] property is trained through its field: one whose accessor has a body is refused too.
        const string Trainable = """
            using SymbolicGrad;
            namespace Demo;
            public partial class Model
            {
                [Trainable] public double Scale { get => field * 2; set; }
                [Differentiable] public double F(double x) => Scale * x;
            }
            """;
        var trainable = Assert.Single(RunPreview(Trainable).GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Contains("has an accessor with a body", trainable.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A record struct as the [Differentiable] method's parameters (gradients of the same type), nested record
    /// structs, one returned from a helper, deconstructed (the compiler's Deconstruct) and matched by patterns.
    /// </summary>
    [Fact]
    public void RecordStructsAsParametersNestedReturnedAndMatched()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public readonly record struct P(double X, double Y)
                {
                    public static P operator -(P a, P b) => new(a.X - b.X, a.Y - b.Y);
                    public double Norm2 => X * X + Y * Y;
                }

                public readonly record struct Segment(P From, P To, double Weight);

                static P Polar(double r, double t) => new(r * Math.Cos(t), r * Math.Sin(t));

                [Differentiable] public static double Spring(P p, P q) => 0.5 * (p - q).Norm2;

                [Differentiable] public static double Nested(double r, double t)
                {
                    var s = new Segment(Polar(r, t), new P(r, 0), r * t);
                    var (from, to, w) = s;
                    var (fx, fy) = from;
                    return w * (fx * to.X + fy) + s.To.X;
                }

                [Differentiable] public static double Matched(double x, double y)
                {
                    var s = new Segment(new P(x, y), new P(y, x), 1);
                    return s is { From.X: > 1, To: (< 1, _) } ? s.From.Norm2 : s is { From.Norm2: > 1 } ? x : y;
                }
            """));

        const double Px = 0.5, Py = -1.25, Qx = 2, Qy = 0.25;
        Check(assembly, "Spring", new[] { Px, Py, Qx, Qy }, 0.5 * ((Px - Qx) * (Px - Qx) + (Py - Qy) * (Py - Qy)), Px - Qx, Py - Qy, Qx - Px, Qy - Py);

        // The generated gradient's own signature: out P dP, out P dQ.
        var spring = assembly.GetType("Demo.C")!.GetMethod("SpringGradient", BindingFlags.Public | BindingFlags.Static)!;
        Assert.Equal(new[] { "p", "q", "dP", "dQ" }, spring.GetParameters().Select(p => p.Name).ToArray());
        Assert.Equal(spring.GetParameters()[0].ParameterType.MakeByRefType(), spring.GetParameters()[2].ParameterType);

        // f = rt (r cos t · r + r sin t) + r.
        const double R = 1.25, T = 0.5;
        double c = Math.Cos(T), sn = Math.Sin(T);
        Check(assembly, "Nested", new[] { R, T }, R * T * (R * R * c + R * sn) + R,
            T * (3 * R * R * c + 2 * R * sn) + 1, R * (R * R * c + R * sn) + R * T * (-R * R * sn + R * c));

        // Each branch of the patterns, and the one whose extended pattern reads a member of a member (From.X, not Segment's own).
        Check(assembly, "Matched", new[] { 1.5, 0.5 }, 1.5 * 1.5 + 0.25, 3.0, 1.0);
        Check(assembly, "Matched", new[] { 1.5, 2.0 }, 1.5, 1.0, 0.0);
        Check(assembly, "Matched", new[] { 0.5, 0.25 }, 0.25, 0.0, 1.0);
    }

    /// <summary>
    /// == and Equals of record structs: the compiler's compare each member as EqualityComparer&lt;T&gt;.Default does
    /// (NaN equal to NaN), nested record structs and tuples too; a user-declared Equals(P) is inlined.
    /// </summary>
    [Fact]
    public void RecordStructEquality()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public readonly record struct P(double X, double Y);
                public readonly record struct Seg(P A, int K, (double U, bool B) T);
                public readonly record struct Tol(double X)
                {
                    public bool Equals(Tol o) => Math.Abs(X - o.X) < 0.5;
                    public override int GetHashCode() => 0;
                }

                [Differentiable] public static double F1(double x, double y)
                {
                    var p = new P(x, y);
                    return p == new P(y, x) ? x : p != new P(x, 2) ? x * y : x - y;
                }

                [Differentiable] public static double F2(double x, double y)
                {
                    var s = new Seg(new P(x, y), 1, (x, true));
                    return s.Equals(s with { K = 2 }) ? x : s.Equals(s with { }) && new P(double.NaN, x) == new P(double.NaN, x) ? x * y : x - y;
                }

                [Differentiable] public static double F3(double x, double y) => new Tol(x) == new Tol(y) ? x * y : x - y;
            """));

        Check(assembly, "F1", new[] { 1.5, 0.5 }, 0.75, 0.5, 1.5);
        Check(assembly, "F2", new[] { 1.5, 0.5 }, 0.75, 0.5, 1.5);
        Check(assembly, "F3", new[] { 1.5, 1.75 }, 1.5 * 1.75, 1.75, 1.5);
        Check(assembly, "F3", new[] { 1.5, 2.5 }, -1, 1, -1);
    }

    /// <summary>A record struct with an array member: its Equals compares references, which the generator does not model.</summary>
    [Fact]
    public void RecordStructEqualityWithAnArrayMemberIsRefused() => Expect.Refused(
        """
            public readonly record struct Tagged(double X, double[] A);
            [Differentiable] public static double F(double x, [NoDerivative] double[] a) => [|new Tagged(x, a) == new Tagged(x, a)|] ? x : 2 * x;
        """,
        "SG0017", "member A", "p.X == q.X");

    /// <summary>Generic structs used at double: constructor, fields, a computed property over generic math, a generic record struct.</summary>
    [Fact]
    public void GenericStructsAtDouble()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                public readonly struct Pair<T> where T : System.Numerics.INumber<T>
                {
                    public readonly T First, Second;
                    public Pair(T first, T second) { First = first; Second = second; }
                    public T Product => First * Second;
                }

                public readonly record struct Box<T>(T V, T W) where T : System.Numerics.INumber<T>
                {
                    public T Total { get; } = V + W + T.One;
                    public T Twice => V + V;
                }

                [Differentiable] public static double F(double x, double y) => new Pair<double>(x, y).Product + new Box<double>(x * y, y).Total * new Box<double>(y, 0).Twice;
            """));

        const double X = 0.75, Y = -2;
        Check(assembly, "F", new[] { X, Y }, X * Y + (X * Y + Y + 1) * 2 * Y, Y + 2 * Y * Y, X + 2 * (X * Y + Y + 1) + 2 * Y * (X + 1));
    }

    /// <summary>The generator on a source in the C# version after 12 (the field keyword), its generated code in the same version.</summary>
    private static GeneratorRun RunPreview(string source)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var compilation = Harness.Compilation().AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, options, path: "File0.cs"));
        return Harness.Run(compilation, CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: options));
    }

    /// <summary>The value and the gradient of Demo.C.{method}Objective() at the point, against closed forms and numeric differences.</summary>
    private static void Check(Assembly assembly, string method, double[] point, double value, params double[] gradient)
    {
        var objective = assembly.GetType("Demo.C")!.GetMethod(method + "Objective", BindingFlags.Public | BindingFlags.Static);
        Assert.True(objective is not null, $"no {method}Objective was generated");
        var f = (DifferentiableFunction)objective.Invoke(null, null)!;
        var g = new double[f.Dimension];
        double v = f.ValueAndGradient(point, g);
        Assert.True(Math.Abs(v - value) <= 1e-12 * (1 + Math.Abs(value)), $"{method}: value {v:R}, expected {value:R}");
        Assert.Equal(gradient.Length, g.Length);
        for (int i = 0; i < g.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - gradient[i]) <= 1e-10 * (1 + Math.Abs(gradient[i])), $"{method}: component {i} ({f.ParameterNames[i]}) is {g[i]:R}, expected {gradient[i]:R}");
        }

        var check = GradientCheck.Check(f, point, Expect.Tight);
        Assert.True(check.Passed, method + ": " + check.ToString());
    }
}
