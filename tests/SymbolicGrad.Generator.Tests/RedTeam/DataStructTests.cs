using System.Reflection;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Structs and tuples that are data (elements of a [NoDerivative] array or list), as ML first drafts hold examples:
/// found by the rt-ml red-team pass (issue #11). Each test failed before its fix; values, gradients and Hessians are
/// checked against closed forms and centered differences.
/// </summary>
public class DataStructTests
{
    private const string Types = """
        public struct In { public double X; public double Y; public double Norm => Math.Sqrt(X * X + Y * Y); public void Scale(double k) { X *= k; Y += k; } }
        public struct Out { public In Inner; public double Z; }
        public record struct Obs(double X, double Y) { public double Predict(double w) => w * X; public double Sq => X * X; }

        """;

    /// <summary>
    /// A copy of a data element whose member is then written (var p = xs[i]; p.X = w[0] * 3; of a [NoDerivative]
    /// array of structs, tuples or record structs, also in a foreach, through a ref or by a mutating method, p.Scale(w)):
    /// the write was dropped without
    /// a word, so both the value and the gradient were the unmodified element's (f = -3 where the method returned
    /// -0.63, a zero gradient). The copy is now taken apart into its members, read as data, and the write is the copy's.
    /// </summary>
    [Theory]
    [InlineData("Tuple")]
    [InlineData("Record")]
    [InlineData("Plain")]
    [InlineData("Nested")]
    [InlineData("Assigned")]
    [InlineData("Foreach")]
    [InlineData("ThroughRef")]
    [InlineData("List")]
    [InlineData("Mutating")]
    public void AWriteIntoACopyOfADataStructIsKept(string method)
    {
        var assembly = Compile("""
                [Differentiable(Hessian = true)] public static double Tuple(double[] w, [NoDerivative] (double A, double B)[] xs) { var t = xs[1]; t.A = w[0] * 3; t.Item2 += w[0]; return t.A * t.B; }
                [Differentiable(Hessian = true)] public static double Record(double[] w, [NoDerivative] Obs[] xs) { var q = xs[1]; q.X = w[0] * 3; q.Y += w[0]; return q.X * q.Y; }
                [Differentiable(Hessian = true)] public static double Plain(double[] w, [NoDerivative] In[] xs) { var p = xs[1]; p.X = w[0] * 3; p.Y += w[0]; return p.X * p.Y; }
                [Differentiable(Hessian = true)] public static double Nested(double[] w, [NoDerivative] Out[] xs) { var o = xs[0]; o.Inner.X = w[0] * 3; o.Z += w[0]; return o.Inner.X * o.Z; }
                [Differentiable(Hessian = true)] public static double Assigned(double[] w, [NoDerivative] In[] xs) { In p = default; p = xs[1]; p.X = w[0] * 3; p.Y += w[0]; return p.X * p.Y; }
                [Differentiable(Hessian = true)] public static double Foreach(double[] w, [NoDerivative] In[] xs) { double s = 0; foreach (var e in xs) { var p = e; p.X = w[0] * 3; p.Y += w[0]; s = p.X * p.Y; } return s; }
                [Differentiable(Hessian = true)] public static double ThroughRef(double[] w, [NoDerivative] In[] xs) { var p = xs[1]; ref var r = ref p; r.X = w[0] * 3; r.Y += w[0]; return p.X * p.Y; }
                [Differentiable(Hessian = true)] public static double Mutating(double[] w, [NoDerivative] In[] xs) { var p = xs[1]; p.Scale(w[0]); return p.X * p.Y; }
                [Differentiable(Hessian = true)] public static double List(double[] w, [NoDerivative] List<In> xs) { var p = xs[1]; p.X = w[0] * 3; p.Y += w[0]; return p.X * p.Y; }
            """);
        // Each method: (3w)·(y + w) with the element (x, y) = (3, -1) (Nested: its Z = -1 plays y).
        var ins = new[] { new object[] { 1.0, 2.0 }, new object[] { 3.0, -1.0 } };
        object data = method switch
        {
            "Tuple" => new[] { (1.0, 2.0), (3.0, -1.0) },
            "Record" => Array(assembly, "Obs", ins, (t, v) => Activator.CreateInstance(t, v)!),
            "Nested" => Array(assembly, "Out", new[] { new object[] { 3.0, 5.0 } }, (t, v) =>
            {
                var inner = Activator.CreateInstance(assembly.GetType("Demo.In")!)!;
                inner.GetType().GetField("X")!.SetValue(inner, v[0]);
                inner.GetType().GetField("Y")!.SetValue(inner, v[1]);
                var o = Activator.CreateInstance(t)!;
                t.GetField("Inner")!.SetValue(o, inner);
                t.GetField("Z")!.SetValue(o, -1.0);
                return o;
            }),
            "List" => ToList(assembly, Array(assembly, "In", ins, Plain)),
            _ => Array(assembly, "In", ins, Plain),
        };
        const double W = 0.7;
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod(method + "Objective")!.Invoke(null, new object[] { 1, data })!;
        var g = new double[1];
        Assert.Equal(3 * W * (W - 1), f.ValueAndGradient(new[] { W }, g), 12);
        Assert.Equal(6 * W - 3, g[0], 12);
        var h = new double[1];
        f.Hessian(new[] { W }, h);
        Assert.Equal(6, h[0], 10);
        Assert.True(GradientCheck.Check(f, new[] { W }, KnownBugs.Expect.Tight).Passed);
    }

    /// <summary>
    /// A write into a member of an element of a [NoDerivative] array (xs[1].X = w[0] * 3, of structs or tuples): it was
    /// dropped without a word (a wrong value and gradient, and the method itself wrote the caller's data). It is now
    /// SG0018 at the write, as an element write into a parameter is.
    /// </summary>
    [Theory]
    [InlineData("In[]", "[|xs[1].X|] = w[0] * 3; return xs[1].X * xs[1].Y;")]
    [InlineData("(double A, double B)[]", "[|xs[1].A|] += w[0]; return xs[1].A * xs[1].B;")]
    public void AWriteIntoADataElementsMemberIsRefused(string type, string body) => KnownBugs.Expect.Refused(
        Types + "    [Differentiable] public static double F(double[] w, [NoDerivative] " + type + " xs) { " + body + " }",
        "SG0018", "writes to an element of an array the method did not create", "var p = xs[i]; p.X = ...");

    /// <summary>
    /// A computed property or a 'with' of a data element (xs[i].Norm of a plain struct, p with { Y = w[0] }): SG0017
    /// 'a member of this ... read it into a local in the caller', reported four times inside the struct, far from the
    /// method, and "use 'with' on structs" on a struct. The property now runs on the element's members, read as data,
    /// and 'with' copies them.
    /// </summary>
    [Fact]
    public void AComputedPropertyAndWithOfADataStruct()
    {
        var assembly = Compile("""
                [Differentiable] public static double Norms(double[] w, [NoDerivative] In[] xs) { double s = 0; foreach (var p in xs) s += w[0] * p.Norm; return s; }
                [Differentiable] public static double With(double[] w, [NoDerivative] In[] xs) { double s = 0; foreach (var p in xs) { var q = p with { Y = w[0] }; s += q.X * q.Y; } return s; }
            """);
        var xs = Array(assembly, "In", new[] { new object[] { 3.0, 4.0 }, new object[] { 1.0, -1.0 } }, Plain);
        var c = assembly.GetType("Demo.C")!;
        var g = new double[1];
        var norms = (DifferentiableFunction)c.GetMethod("NormsObjective")!.Invoke(null, new object[] { 1, xs })!;
        Assert.Equal(0.5 * (5 + Math.Sqrt(2)), norms.ValueAndGradient(new[] { 0.5 }, g), 12);
        Assert.Equal(5 + Math.Sqrt(2), g[0], 12);
        var with = (DifferentiableFunction)c.GetMethod("WithObjective")!.Invoke(null, new object[] { 1, xs })!;
        Assert.Equal(0.5 * 4, with.ValueAndGradient(new[] { 0.5 }, g), 12);
        Assert.Equal(4, g[0], 12);
    }

    /// <summary>
    /// A [NoDerivative] List of structs or tuples (List&lt;Point&gt; of examples): foreach over it was SG0006
    /// 'Enumerating this sequence ... use arrays, spans, Enumerable.Range, lists', and xs[i] 'Reading a struct from a
    /// collection'; a List of doubles or arrays worked. Its elements are now read as data, as an array's are, and
    /// foreach (var (x, y) in list) takes a tuple apart.
    /// </summary>
    [Fact]
    public void AListOfStructsIsData()
    {
        var assembly = Compile("""
                [Differentiable] public static double Foreach(double[] w, [NoDerivative] List<Obs> xs) { double s = 0; foreach (var o in xs) s += Math.Pow(o.Predict(w[0]) - o.Y, 2) + w[0] * o.Sq; return s; }
                [Differentiable] public static double Indexed(double[] w, [NoDerivative] List<Obs> xs) { double s = 0; for (int i = 0; i < xs.Count; i++) s += Math.Pow(w[0] * xs[i].X - xs[i].Y, 2); return s; }
                [Differentiable] public static double Linq(double[] w, [NoDerivative] List<Obs> xs) => xs.Sum(p => Math.Pow(w[0] * p.X - p.Y, 2));
                [Differentiable] public static double Tuples(double[] w, [NoDerivative] List<(double X, double Y)> xs) { double s = 0; foreach (var (x, y) in xs) s += Math.Pow(w[0] * x - y, 2); var (a, b) = xs[0]; return s + a * b * w[0]; }
            """);
        var obs = ToList(assembly, Array(assembly, "Obs", new[] { new object[] { 1.0, 2.0 }, new object[] { 3.0, 1.0 } }, (t, v) => Activator.CreateInstance(t, v)!));
        const double W = 0.7;
        double fit = Math.Pow(W - 2, 2) + Math.Pow(3 * W - 1, 2), dFit = 2 * (W - 2) + 6 * (3 * W - 1);
        var c = assembly.GetType("Demo.C")!;
        var g = new double[1];
        foreach (var (name, value, gradient) in new[] { ("Foreach", fit + 10 * W, dFit + 10), ("Indexed", fit, dFit), ("Linq", fit, dFit) })
        {
            var f = (DifferentiableFunction)c.GetMethod(name + "Objective")!.Invoke(null, new object[] { 1, obs })!;
            Assert.Equal(value, f.ValueAndGradient(new[] { W }, g), 12);
            Assert.Equal(gradient, g[0], 12);
        }

        var tuples = (DifferentiableFunction)c.GetMethod("TuplesObjective")!.Invoke(null, new object[] { 1, new List<(double, double)> { (1, 2), (3, 1) } })!;
        Assert.Equal(fit + 2 * W, tuples.ValueAndGradient(new[] { W }, g), 12);
        Assert.Equal(dFit + 2, g[0], 12);
    }

    /// <summary>
    /// A struct member of data (e.Pos.X of a [NoDerivative] object, o.Inner of an element, a static readonly point):
    /// SG0006 'Reading a struct from a field, property or array of data'. Its members are now read as data, also
    /// deconstructed and copied into a local that is then written.
    /// </summary>
    [Fact]
    public void AStructMemberOfDataIsReadAsData()
    {
        var assembly = Compile("""
                public class Example { public In Pos; public (double A, double B) Pair { get; set; } }
                static readonly In Origin = new In { X = 1, Y = 2 };
                [Differentiable(Hessian = true)] public static double Members(double[] w, [NoDerivative] Example e, [NoDerivative] Out[] xs) =>
                    w[0] * e.Pos.X + w[1] * e.Pair.B * xs[0].Inner.Y + w[0] * w[1] * Origin.Norm;
                [Differentiable(Hessian = true)] public static double Copied(double[] w, [NoDerivative] Example e) { var p = e.Pos; p.X += w[0]; var (a, b) = e.Pair; return p.X * p.Y * a + b * w[1] * w[1]; }
            """);
        var c = assembly.GetType("Demo.C")!;
        var e = Activator.CreateInstance(c.GetNestedType("Example")!)!;
        e.GetType().GetField("Pos")!.SetValue(e, Plain(assembly.GetType("Demo.In")!, new object[] { 3.0, 4.0 }));
        e.GetType().GetProperty("Pair")!.SetValue(e, (0.5, 2.0));
        var xs = Array(assembly, "Out", new[] { new object[] { 0.0, 6.0 } }, (t, v) =>
        {
            var o = Activator.CreateInstance(t)!;
            t.GetField("Inner")!.SetValue(o, Plain(assembly.GetType("Demo.In")!, v));
            return o;
        });
        double[] w = { 0.3, -0.7 };
        var g = new double[2];
        var members = (DifferentiableFunction)c.GetMethod("MembersObjective")!.Invoke(null, new object[] { 2, e, xs })!;
        Assert.Equal(w[0] * 3 + w[1] * 2 * 6 + w[0] * w[1] * Math.Sqrt(5), members.ValueAndGradient(w, g), 12);
        Assert.Equal(3 + w[1] * Math.Sqrt(5), g[0], 12);
        Assert.Equal(12 + w[0] * Math.Sqrt(5), g[1], 12);
        var copied = (DifferentiableFunction)c.GetMethod("CopiedObjective")!.Invoke(null, new object[] { 2, e })!;
        Assert.Equal((3 + w[0]) * 4 * 0.5 + 2 * w[1] * w[1], copied.ValueAndGradient(w, g), 12);
        Assert.Equal(2, g[0], 12);
        Assert.Equal(4 * w[1], g[1], 12);
        var h = new double[4];
        copied.Hessian(w, h);
        Assert.Equal(new[] { 0.0, 0, 0, 4 }, h);
    }

    /// <summary>
    /// A differentiated struct parameter with an array member (struct DenseLayer { public double[] W; public double B; },
    /// a record struct or a tuple of the same): the generated code did not compile (CS0029: the gradient struct was
    /// built with W = 0.0, and NameObjective packed W = parameters[0]). It is now SG0006 at the parameter; as
    /// [NoDerivative] data the struct works.
    /// </summary>
    [Theory]
    [InlineData("public struct DenseLayer { public double[] W; public double B; }", "DenseLayer", "d.W")]
    [InlineData("public record struct DenseLayer(double[] W, double B);", "DenseLayer", "d.W")]
    [InlineData("", "(double[] W, double B)", "d.W")]
    public void ADifferentiatedStructWithAnArrayIsRefused(string declaration, string type, string member) => KnownBugs.Expect.Refused(
        declaration + "\n    [Differentiable] public static double F(" + type + " [|d|], [NoDerivative] double[] x) { double s = d.B; for (int i = 0; i < x.Length; i++) s += d.W[i] * x[i]; return Math.Tanh(s); }",
        "SG0006", "A differentiated struct parameter with an array member (" + member + ")", "pass the array as a parameter of its own");

    private static Assembly Compile(string members, string usings = "using System.Collections.Generic;\nusing System.Linq;\n") =>
        KnownBugs.Expect.Compiles(usings + Harness.InClass(members).Replace("namespace Demo;\n", "namespace Demo;\n" + Types, StringComparison.Ordinal));

    private static object Plain(Type t, object[] v)
    {
        var o = Activator.CreateInstance(t)!;
        t.GetField("X")!.SetValue(o, v[0]);
        t.GetField("Y")!.SetValue(o, v[1]);
        return o;
    }

    private static System.Array Array(Assembly assembly, string type, object[][] values, Func<Type, object[], object> make)
    {
        var t = assembly.GetType("Demo." + type)!;
        var array = System.Array.CreateInstance(t, values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            array.SetValue(make(t, values[i]), i);
        }

        return array;
    }

    private static object ToList(Assembly assembly, System.Array array)
    {
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(array.GetType().GetElementType()!))!;
        foreach (var e in array)
        {
            list.Add(e);
        }

        return list;
    }
}
