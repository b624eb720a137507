using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A model's [Trainable] member read through an expression that gives this (stop 32, red-team): Me().B with
/// Me() => this, Id(this).W[0], a property Self => this, a local function or lambda returning this, (c ? this : this).B,
/// read as constants before (dB = 0 or half); var self = this or a helper's parameter bound to this, read in a loop,
/// threw that the model read as data is this model; and an object taken from a collection (list[0].B) that is this
/// was read as a constant. Now the first are read as this.B, the last throws, and [NoDerivative] C? other ?? this no
/// longer crashes the generator.
/// </summary>
public class ThisThroughExpressionsTests
{
    private const string Model = """
        namespace Demo;
        using SymbolicGrad;
        using System;
        using System.Collections.Generic;
        #nullable enable

        public partial class M
        {
            [Trainable] public double B = 0.5;
            [Trainable] public double[] W = { 0.5, 1.5 };
            public double Data = 3;
            M Me() => this;
            M Self => this;
            static M Id(M m) => m;
            static double Pred(M m, int j) { double t = 0; for (int k = 0; k < m.W.Length; k++) t += m.W[k] * m.B * j; return t; }

            [Differentiable(Hessian = true)] public double ThroughCalls() => Me().B * Id(this).W[0] * Self.W[1];
            [Differentiable] public double ThroughFunctions(bool c) { M Get() => this; Func<M> get = () => this; return Get().B * get().W[0] * (c ? this : this).W[1]; }
            [Differentiable(Hessian = true)] public double InLoops() { var self = this; double s = 0; for (int j = 0; j < 3; j++) s += self.B * Pred(this, j); return s; }
            [Differentiable] public double FromATeacher([NoDerivative] M[] teachers) { double s = 0; foreach (var t in teachers) s += t.B * B + t.W[0] * W[0]; return s; }
            [Differentiable] public double Coalesced([NoDerivative] M? other) { var m = other ?? this; return (other == null ? this : other).Data * m.Data * B; }
        }
        """;

    private static (object Model, Type Type) Build()
    {
        var assembly = Expect.Compiles(Model);
        var type = assembly.GetType("Demo.M")!;
        return (Activator.CreateInstance(type)!, type);
    }

    private static double[] Gradient(object model, Type type, string method, params object?[] data)
    {
        var objective = (DifferentiableFunction)type.GetMethod(method + "Objective")!.Invoke(model, data)!;
        double[] x = { 0.5, 0.5, 1.5 };
        var g = new double[3];
        objective.ValueAndGradient(x, g);
        var check = GradientCheck.Check(objective, x, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        return g;
    }

    [Fact]
    public void ReadsThroughCallsAndPropertiesAreReadsOfThis()
    {
        var (model, type) = Build();
        // F = B·W₀·W₁ at (B, W₀, W₁) = (0.5, 0.5, 1.5).
        Assert.Equal(new[] { 0.75, 0.75, 0.25 }, Gradient(model, type, "ThroughCalls"));
        Assert.Equal(new[] { 0.75, 0.75, 0.25 }, Gradient(model, type, "ThroughFunctions", true));
    }

    [Fact]
    public void ThisHeldInALocalOrAParameterIsStillThisInALoop()
    {
        var (model, type) = Build();
        // F = Σⱼ B·(B·(W₀ + W₁)·j) over j = 0..2 = 3B²(W₀ + W₁): ∂B = 6B(W₀ + W₁) = 6, ∂Wₖ = 3B² = 0.75.
        Assert.Equal(new[] { 6.0, 0.75, 0.75 }, Gradient(model, type, "InLoops"));
    }

    /// <summary>
    /// The model put into a collection (new List&lt;M&gt; { this }[0].B) was checked at run time (an
    /// InvalidOperationException, "is this model"); since red-team L (stop 35) code run as written that receives the
    /// model itself is SG0015 at build time, at the collection.
    /// </summary>
    [Fact]
    public void AModelPutIntoACollectionIsRefusedAtBuildTime()
    {
        string source = Model.Replace("M Me() => this;", "M Me() => this;\n    [Differentiable] public double FromAList() => new List<M> { this }[0].B * B;", StringComparison.Ordinal);
        Assert.Contains("FromAList", source, StringComparison.Ordinal);
        var run = Harness.Run(source);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Id == "SG0015", string.Join("\n", run.GeneratorDiagnostics));
        int at = source.IndexOf("new List<M> { this }", StringComparison.Ordinal);
        Assert.Equal((at, "new List<M> { this }".Length), (errors[0].Location.SourceSpan.Start, errors[0].Location.SourceSpan.Length));
    }

    [Fact]
    public void AnotherModelOfTheSameTypeIsData()
    {
        var (model, type) = Build();

        // Other models of the same type (teachers) are data: F = Σ (tB·B + tW₀·W₀).
        var teachers = Array.CreateInstance(type, 2);
        for (int i = 0; i < 2; i++)
        {
            var t = Activator.CreateInstance(type)!;
            type.GetField("B")!.SetValue(t, 2.0 + i);
            teachers.SetValue(t, i);
        }

        Assert.Equal(new[] { 5.0, 1.0, 0.0 }, Gradient(model, type, "FromATeacher", teachers));
    }

    [Fact]
    public void ANullableOtherModelOrThisCompiles()
    {
        var (model, type) = Build();
        // other = null: Data·Data·B = 9B.
        Assert.Equal(new[] { 9.0, 0.0, 0.0 }, Gradient(model, type, "Coalesced", new object?[] { null }));
    }
}
