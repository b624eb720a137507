using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team T (stop 37):
/// - A C# 13 partial property's setter, a partial indexer and a C# 14 partial constructor, inlined into a gradient, were
///   SG9999 ("'value' has no value here ... a bug in the generator"): the body names the implementation part's
///   parameters, the call binds the definition part's. Both are bound now; gradients against closed forms.
/// - A struct with an explicit layout (a union: [StructLayout(LayoutKind.Explicit)], [FieldOffset(0)] on two fields)
///   was taken apart field by field, so writing A and reading B gave 0: a silently wrong value and gradient. It is
///   refused now wherever it is made, written or passed.
/// </summary>
public class PartialMemberAndUnionTests
{
    private const string Partials = """
        using System;
        using SymbolicGrad;
        namespace Demo;
        public partial struct PG
        {
            public double B;
            public partial double A { get; }
            public partial double this[int i] { get; set; }
            public partial double Shifted { get; set; }
            public partial PG(double b);
        }
        public partial struct PG
        {
            public partial double A => B * B;
            public partial double this[int i] { get => i == 0 ? B : 2 * B; set => B = value * i; }
            public partial double Shifted { get => B; set => B = value - 1; }
            public partial PG(double b) { B = b + 1; }
        }
        public static partial class C
        {
            private static partial void Twice(double a, out double b);
            private static partial void Twice(double a, out double b) { b = 2 * a * a; }

            [Differentiable]
            public static double F(double[] x)
            {
                var p = new PG(x[0]);
                p[2] = p[1] * x[1];
                p.Shifted = p.Shifted * x[0];
                Twice(x[1], out var t);
                return p[0] * x[0] + p.B + p.A + t;
            }

            public static double Call(double[] x, double[] g) => FGradient(x, g);
        }
        """;

    [Fact]
    public void PartialSetterIndexerAndConstructorAreInlinedExactly()
    {
        var run = MlDraftTests.RunPreview(Partials);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        var call = run.Load().GetType("Demo.C")!.GetMethod("Call")!;

        // B₀ = x₀ + 1; p[2] = (2B₀·x₁) sets B₁ = 4B₀x₁; Shifted = B₁x₀ sets B = 4B₀x₁x₀ − 1; t = 2x₁².
        // f = B·x₀ + B + B² + 2x₁².
        static double F(double[] x)
        {
            double b = 4 * (x[0] + 1) * x[1] * x[0] - 1;
            return b * x[0] + b + b * b + 2 * x[1] * x[1];
        }

        double[] x = { 0.7, 1.3 };
        var g = new double[2];
        double value = (double)call.Invoke(null, new object[] { x, g })!;
        Assert.Equal(F(x), value, 12);
        double bx = 4 * x[1] * (2 * x[0] + 1), by = 4 * (x[0] + 1) * x[0];
        double b = 4 * (x[0] + 1) * x[1] * x[0] - 1;
        Assert.Equal(b + (x[0] + 1 + 2 * b) * bx, g[0], 10);
        Assert.Equal((x[0] + 1 + 2 * b) * by + 4 * x[1], g[1], 10);
    }

    [Theory]
    [InlineData("var u = new U2(); [|u.A|] = x[0] * x[1]; return u.B * x[0];", "SG0018")]
    [InlineData("var arr = [|new U2[1]|]; return arr[0].B * x[1];", "SG0006")]
    public void AStructWithAnExplicitLayoutIsRefused(string body, string id)
    {
        string source = """
            using System;
            using System.Runtime.InteropServices;
            using SymbolicGrad;
            namespace Demo;
            [StructLayout(LayoutKind.Explicit)]
            public struct U2 { [FieldOffset(0)] public double A; [FieldOffset(0)] public double B; }
            public static partial class C
            {
                [Differentiable] public static double F(double[] x) { BODY }
            }
            """.Replace("BODY", body, StringComparison.Ordinal);
        MlDraftTests.Refused(source, id);
    }

    [Fact]
    public void AnExplicitLayoutParameterSaysWhy()
    {
        var run = Harness.Run("""
            using System;
            using System.Runtime.InteropServices;
            using SymbolicGrad;
            namespace Demo;
            [StructLayout(LayoutKind.Explicit)]
            public struct U2 { [FieldOffset(0)] public double A; [FieldOffset(0)] public double B; }
            public static partial class C
            {
                [Differentiable] public static double F(U2 u) => u.A * u.B;
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("SG0022", error.Id);
        Assert.Contains("explicit layout", error.GetMessage(), StringComparison.Ordinal);
    }
}
