using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Two shapes from the stop-31 red-team pass. A type pattern that binds a value type on data (o is int k, case long l,
/// o is int k and &gt; 2) was printed as o as int, which does not compile (and the right side of and compared the
/// object itself). A struct's own Deconstruct used by a deconstruction (var (a, b) = p; foreach (var (a, b) in ps)) was
/// an internal error (SG9999); calling p.Deconstruct(out var a, out var b) worked.
/// </summary>
public class TypePatternAndDeconstructTests
{
    /// <summary>F = x·k for an int or long k in o (3 with o = 3 boxed, and the data argument otherwise), x·3 for a string longer than 2; ∂x is that factor.</summary>
    [Fact]
    public void TypePatternsOnDataBindValueTypes()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                [Differentiable] public static double A(double x) { object o = 3; if (o is int k) return x * k; return x; }
                [Differentiable] public static double B(double x) { object o = 3; if (o is int k and > 2) return x * k; return x; }
                [Differentiable] public static double S(double x, [NoDerivative] object o)
                {
                    switch (o) { case int i: return x * i; case long l: return x * l; default: return x; }
                }
                [Differentiable] public static double T(double x, [NoDerivative] object o) => o is string and { Length: > 2 } ? x * 3 : x;
            """));
        var c = assembly.GetType("Demo.C")!;
        double D(string name, params object[] data)
        {
            var args = new object?[] { 0.5 }.Concat(data).Append(null).ToArray();
            c.GetMethod(name + "Gradient")!.Invoke(null, args);
            return (double)args[^1]!;
        }

        Assert.Equal(3, D("A"));
        Assert.Equal(3, D("B"));
        Assert.Equal(7, D("S", 7L));
        Assert.Equal(4, D("S", 4));
        Assert.Equal(1, D("S", "x"));
        Assert.Equal(3, D("T", "abcd"));
        Assert.Equal(1, D("T", "ab"));
        Assert.Equal(1, D("T", 4));
    }

    /// <summary>
    /// A struct's Deconstruct in a deconstruction: F = a·b of (x, y), ∂ = (y, x); over two structs (x, y) and (y, 2),
    /// ∂ = (y, x + 2); of a data struct (2, 5), F = 2x + 5, ∂x = 2. With H·v for the first.
    /// </summary>
    [Fact]
    public void AStructsOwnDeconstructIsInlined()
    {
        const string pt = "public struct PtD { public double A, B; public void Deconstruct(out double a, out double b) { a = A; b = B; } }\n";
        Expect.Gradient(pt + "[Differentiable(Hessian = true)] public static double F(double x, double y) { var p = new PtD { A = x, B = y }; var (a, b) = p; return a * b; }",
            "F", new[] { 0.3, 0.7 }, new[] { 0.7, 0.3 });
        Expect.Gradient(pt + "[Differentiable] public static double F(double x, double y) { double s = 0; foreach (var (a, b) in new[] { new PtD { A = x, B = y }, new PtD { A = y, B = 2 } }) s += a * b; return s; }",
            "F", new[] { 0.3, 0.7 }, new[] { 0.7, 2.3 });
        var assembly = Expect.Compiles(Expect.InClass(pt.Replace("public struct", "public struct", StringComparison.Ordinal)
            + "[Differentiable] public static double F(double x, [NoDerivative] PtD d) { var (a, b) = d; return x * a + b; }"));
        var c = assembly.GetType("Demo.C")!;
        var ptType = c.GetNestedType("PtD")!;
        var data = Activator.CreateInstance(ptType)!;
        ptType.GetField("A")!.SetValue(data, 2.0);
        ptType.GetField("B")!.SetValue(data, 5.0);
        var args = new object?[] { 0.3, data, null };
        Assert.Equal(2 * 0.3 + 5, (double)c.GetMethod("FGradient")!.Invoke(null, args)!, 12);
        Assert.Equal(2.0, (double)args[2]!);
    }
}
