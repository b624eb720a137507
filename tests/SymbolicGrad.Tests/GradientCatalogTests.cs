using SymbolicGrad.TestFunctions;

namespace SymbolicGrad.Tests;

/// <summary>One catalog entry: a generated function, points inside its domain, and its gradient in closed form when known.</summary>
public sealed record Case(string Name, DifferentiableFunction Function, double[][] Points, Func<double[], double[]>? ClosedForm = null, GradientCheckOptions? Options = null, double ClosedFormTolerance = 1e-12)
{
    public override string ToString() => Name;
}

public class GradientCatalogTests
{
    private static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };

    private static double[] P(params double[] x) => x;

    private static double[][] Ps(params double[][] points) => points;

    public static IEnumerable<Case> Cases()
    {
        double Sq(double v) => v * v;
        yield return new("Add", F.AddObjective(), Ps(P(1, 2), P(-3, 0.5)), x => P(1, 1));
        yield return new("Sub", F.SubObjective(), Ps(P(1, 2)), x => P(1, -1));
        yield return new("Mul", F.MulObjective(), Ps(P(1.5, -2), P(0.3, 7)), x => P(x[1], x[0]));
        yield return new("Div", F.DivObjective(), Ps(P(1.5, -2), P(0.3, 7)), x => P(1 / x[1], -x[0] / (x[1] * x[1])));
        yield return new("Neg", F.NegObjective(), Ps(P(2)), x => P(-1));
        yield return new("Rem", F.RemObjective(), Ps(P(7.3, 2.1), P(-5.5, 1.7)), x => P(1, -Math.Truncate(x[0] / x[1])));
        yield return new("Square", F.SquareObjective(), Ps(P(3), P(-0.7)), x => P(2 * x[0]));
        yield return new("Polynomial", F.PolynomialObjective(), Ps(P(1.2), P(-2)), x => P(9 * x[0] * x[0] - 4 * x[0] + 1));
        yield return new("Rational", F.RationalObjective(), Ps(P(0.5, -1.5), P(2, 3)));
        yield return new("Constants", F.ConstantsObjective(), Ps(P(0.7)), x => P(F.Scale + 2 * F.Offset * x[0] + Math.PI));
        yield return new("UnaryPlusAndParens", F.UnaryPlusAndParensObjective(), Ps(P(1.3, 0.4)), x => P(-2 * x[0], 2 * x[1]));
        yield return new("CompoundAssignments", F.CompoundAssignmentsObjective(), Ps(P(0.8, -1.1), P(2, 3)));
        yield return new("ReassignedParameter", F.ReassignedParameterObjective(), Ps(P(1.5)), x => P(4 * x[0] * (x[0] * x[0] + 1)));
        yield return new("IntegerParameters", new DifferentiableFunction(1, p => F.IntegerParameters(p[0], 3, 2, true), (p, g) => F.IntegerParametersGradient(p[0], 3, 2, true, out g[0])), Ps(P(0.4)), x => P(-2 * (3 * x[0] + 2) * 3));
        yield return new("Casts", new DifferentiableFunction(1, p => F.Casts(p[0], 1.5f, 4), (p, g) => F.CastsGradient(p[0], 1.5f, 4, out g[0], out _)), Ps(P(0.123)), x => P(1.5 + 4),
            new GradientCheckOptions { AbsoluteTolerance = 1e-4, RelativeTolerance = 1e-5 }); // the value goes through float: numeric differences are float-accurate
        yield return new("DataParameter", F.DataParameterObjective(2.0, 3.0), Ps(P(0.5)), x => P(2 * (x[0] * 2 - 3) * 2));
        // Values computed in float: larger steps for the numeric reference, float accuracy for the closed form.
        var floatTolerance = new GradientCheckOptions { StepScale = 300, AbsoluteTolerance = 1e-4, RelativeTolerance = 1e-4 };
        yield return new("FloatMix", F.FloatMixObjective(), Ps(P(0.4)), x => P(Math.Cos(x[0]) + 1), floatTolerance, 1e-6);
        yield return new("MathFOnFloats", F.MathFOnFloatsObjective(), Ps(P(0.4)), x => P(2 * (1 - Sq(Math.Tanh(x[0])))), floatTolerance, 1e-6);
        yield return new("Exp", F.ExpObjective(), Ps(P(0.3), P(-1.2)), x => P(Math.Exp(x[0])));
        yield return new("Log", F.LogObjective(), Ps(P(0.3), P(4)), x => P(1 / x[0]));
        yield return new("LogBase", F.LogBaseObjective(), Ps(P(3, 2), P(0.5, 10)), x => P(1 / (x[0] * Math.Log(x[1])), -Math.Log(x[0]) / (x[1] * Sq(Math.Log(x[1])))));
        yield return new("Log10", F.Log10Objective(), Ps(P(3)), x => P(1 / (x[0] * Math.Log(10))));
        yield return new("Log2", F.Log2Objective(), Ps(P(3)), x => P(1 / (x[0] * Math.Log(2))));
        yield return new("Sqrt", F.SqrtObjective(), Ps(P(2), P(0.01)), x => P(0.5 / Math.Sqrt(x[0])));
        yield return new("Cbrt", F.CbrtObjective(), Ps(P(2), P(-8)), x => P(1 / (3 * Math.Cbrt(x[0]) * Math.Cbrt(x[0]))));
        yield return new("PowConstExponent", F.PowConstExponentObjective(), Ps(P(1.7)), x => P(3.5 * Math.Pow(x[0], 2.5)));
        yield return new("PowSquare", F.PowSquareObjective(), Ps(P(-1.7)), x => P(2 * x[0]));
        yield return new("PowConstBase", F.PowConstBaseObjective(), Ps(P(1.7)), x => P(Math.Pow(2.5, x[0]) * Math.Log(2.5)));
        yield return new("PowBoth", F.PowBothObjective(), Ps(P(1.7, 0.6), P(0.4, -1.3)), x => P(x[1] * Math.Pow(x[0], x[1] - 1), Math.Pow(x[0], x[1]) * Math.Log(x[0])));
        yield return new("PowIntExponent", new DifferentiableFunction(1, p => F.PowIntExponent(p[0], 5), (p, g) => F.PowIntExponentGradient(p[0], 5, out g[0])), Ps(P(-1.3)), x => P(5 * Math.Pow(x[0], 4)));
        yield return new("Sin", F.SinObjective(), Ps(P(0.3), P(2)), x => P(Math.Cos(x[0])));
        yield return new("Cos", F.CosObjective(), Ps(P(0.3), P(2)), x => P(-Math.Sin(x[0])));
        yield return new("Tan", F.TanObjective(), Ps(P(0.3), P(-1)), x => P(1 / Sq(Math.Cos(x[0]))));
        yield return new("Asin", F.AsinObjective(), Ps(P(0.3), P(-0.8)), x => P(1 / Math.Sqrt(1 - x[0] * x[0])));
        yield return new("Acos", F.AcosObjective(), Ps(P(0.3), P(-0.8)), x => P(-1 / Math.Sqrt(1 - x[0] * x[0])));
        yield return new("Atan", F.AtanObjective(), Ps(P(0.3), P(-5)), x => P(1 / (1 + x[0] * x[0])));
        yield return new("Atan2", F.Atan2Objective(), Ps(P(1, 2), P(-1, -0.5)), x => P(x[1] / (x[0] * x[0] + x[1] * x[1]), -x[0] / (x[0] * x[0] + x[1] * x[1])));
        yield return new("Sinh", F.SinhObjective(), Ps(P(0.3), P(-2)), x => P(Math.Cosh(x[0])));
        yield return new("Cosh", F.CoshObjective(), Ps(P(0.3), P(-2)), x => P(Math.Sinh(x[0])));
        yield return new("Tanh", F.TanhObjective(), Ps(P(0.3), P(-2)), x => P(1 - Sq(Math.Tanh(x[0]))));
        yield return new("Asinh", F.AsinhObjective(), Ps(P(0.3), P(-2)), x => P(1 / Math.Sqrt(x[0] * x[0] + 1)));
        yield return new("Acosh", F.AcoshObjective(), Ps(P(1.3), P(4)), x => P(1 / Math.Sqrt(x[0] * x[0] - 1)));
        yield return new("Atanh", F.AtanhObjective(), Ps(P(0.3), P(-0.9)), x => P(1 / (1 - x[0] * x[0])));
        yield return new("Abs", F.AbsObjective(), Ps(P(0.3), P(-2)), x => P(Math.Sign(x[0])));
        yield return new("Max", F.MaxObjective(), Ps(P(1, 2), P(3, -1)), x => x[0] > x[1] ? P(1, 0) : P(0, 1));
        yield return new("Min", F.MinObjective(), Ps(P(1, 2), P(3, -1)), x => x[0] < x[1] ? P(1, 0) : P(0, 1));
        yield return new("Clamp", F.ClampObjective(), Ps(P(0.5, 0, 1), P(-1, 0, 1), P(2, 0, 1)), x => x[0] < x[1] ? P(0, 1, 0) : x[0] > x[2] ? P(0, 0, 1) : P(1, 0, 0));
        yield return new("Fma", F.FmaObjective(), Ps(P(1.5, -2, 3)), x => P(x[1], x[0], 1));
        yield return new("Hypot", F.HypotObjective(), Ps(P(3, 4), P(-1, 0.5)), x => P(x[0] / double.Hypot(x[0], x[1]), x[1] / double.Hypot(x[0], x[1])));
        yield return new("StepFunctions", F.StepFunctionsObjective(), Ps(P(1.3), P(-2.7)), x => P(1));
        yield return new("DoubleStatics", F.DoubleStaticsObjective(), Ps(P(0.7)), x => P(Math.Exp(x[0]) * (Math.Sin(x[0]) + Math.Cos(x[0])) + x[0] / Math.Sqrt(x[0] * x[0] + 1) + 2 * x[0]));
        yield return new("IfElse", F.IfElseObjective(), Ps(P(2, 1), P(1, 2)), x => x[0] > x[1] ? P(2 * x[0] + x[1], x[0]) : P(x[1], 3 * x[1] * x[1] + x[0]));
        yield return new("Ternary", F.TernaryObjective(), Ps(P(0.5), P(-0.5)), x => P(x[0] > 0 ? Math.Cos(x[0]) : Math.Exp(x[0])));
        yield return new("NestedTernary", F.NestedTernaryObjective(), Ps(P(2, 1), P(2, -1), P(0, 1), P(0, -1)));
        yield return new("EarlyReturns", F.EarlyReturnsObjective(), Ps(P(-3), P(3), P(0.5)), x => x[0] < -2 ? P(2 * x[0]) : x[0] > 2 ? P(Math.Cos(x[0]) * x[0] + Math.Sin(x[0])) : P(Math.Cos(x[0]) + 3 * x[0] * x[0]));
        yield return new("NestedIfs", F.NestedIfsObjective(), Ps(P(1, 2), P(1, -2), P(-1, 2), P(-1, -2)));
        yield return new("IfWithoutElse", F.IfWithoutElseObjective(), Ps(P(0.2), P(3)), x => x[0] < 1 ? P(4 * (2 * x[0] - 1)) : P(2 * x[0]));
        yield return new("ConditionOnData", F.ConditionOnDataObjective(2.5, 1), Ps(P(0.7)), x => P(2 * 2.5 * x[0]));
        yield return new("ConditionWithCall", F.ConditionWithCallObjective(), Ps(P(1), P(4)), x => Math.Sin(x[0]) > 0 ? P(2 * x[0] - Math.Sin(x[0])) : P(2 * x[0]));
        yield return new("ThrowOnBadInput", F.ThrowOnBadInputObjective(), Ps(P(0.5), P(3)), x => P(Math.Log(x[0]) + 1));
        yield return new("SmoothMaxOrMin", F.SmoothMaxOrMinObjective(true), Ps(P(0.5, 1.5)));
        yield return new("Outer", F.OuterObjective(), Ps(P(0.5, 0.2), P(-1, 2)));
        yield return new("CallOtherProject", F.CallOtherProjectObjective(), Ps(P(0.5, 0.2), P(-1, 2)));
        yield return new("CallTwice", F.CallTwiceObjective(), Ps(P(0.5)), x =>
        {
            double s = Shared.Sigmoid(x[0]);
            double s2 = Shared.Sigmoid(s);
            return P(s2 * (1 - s2) * s * (1 - s));
        });
        yield return new("CallWithBranchInCallee", F.CallWithBranchInCalleeObjective(), Ps(P(0.5), P(2)));
        yield return new("CallOtherType", F.CallOtherTypeObjective(), Ps(P(0.3)), x => { double s = Models.Logistic(x[0], 2); return P(2 * s * (1 - s)); });
        yield return new("CallInCondition", F.CallInConditionObjective(), Ps(P(0.3), P(-0.3)), x => x[0] > 0 ? P(2 * x[0]) : P(-1));
        yield return new("Parabola", F.ParabolaObjective(), Ps(P(0), P(5)), x => P(2 * (x[0] - 3)));
        yield return new("Circuit", F.CircuitObjective(), Ps(P(-2, 5, -4)), x => P(x[2], x[2], x[0] + x[1]));
        yield return new("SeedQuadratic", F.SeedQuadraticObjective(), Ps(P(2, 1)), x => P(2 * x[0] + 3 * x[1], 3 * x[0]));
        yield return new("Bowl", F.BowlObjective(), Ps(P(1, 1)), x => P(2 * x[0], 8 * x[1]));
        yield return new("Rosenbrock", F.RosenbrockObjective(), Ps(P(-1.2, 1), P(1, 1), P(0.5, -0.3)), x => P(-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]), 200 * (x[1] - x[0] * x[0])));
        yield return new("Himmelblau", F.HimmelblauObjective(), Ps(P(1, 1), P(-2, 3)), x => P(
            4 * x[0] * (x[0] * x[0] + x[1] - 11) + 2 * (x[0] + x[1] * x[1] - 7),
            2 * (x[0] * x[0] + x[1] - 11) + 4 * x[1] * (x[0] + x[1] * x[1] - 7)));
        yield return new("Beale", F.BealeObjective(), Ps(P(1, 1), P(3, 0.5)));
        yield return new("Booth", F.BoothObjective(), Ps(P(0, 0)), x => P(10 * x[0] + 8 * x[1] - 34, 8 * x[0] + 10 * x[1] - 38));
        yield return new("Matyas", F.MatyasObjective(), Ps(P(1, -2)), x => P(0.52 * x[0] - 0.48 * x[1], 0.52 * x[1] - 0.48 * x[0]));
        yield return new("Ackley", F.AckleyObjective(), Ps(P(0.5, -0.3), P(1.2, 2.1)));
        yield return new("LogisticLoss", F.LogisticLossObjective(1.5, 1.0), Ps(P(0.2, -0.1)), x =>
        {
            double p = 1 / (1 + Math.Exp(-(x[0] * 1.5 + x[1])));
            return P((p - 1) * 1.5, p - 1);
        });
        yield return new("Neuron", F.NeuronObjective(0.5, -1.5), Ps(P(0.1, 0.2, 0.3)), x =>
        {
            double t = Math.Tanh(x[0] * 0.5 + x[1] * -1.5 + x[2]);
            return P((1 - t * t) * 0.5, (1 - t * t) * -1.5, 1 - t * t);
        });
        yield return new("Gaussian", F.GaussianObjective(), Ps(P(0.5, 0.1, 1.3)));
        yield return new("HuberLoss", F.HuberLossObjective(1.0), Ps(P(0.5), P(-3)), x => P(Math.Abs(x[0]) <= 1 ? x[0] : Math.Sign(x[0])));
        yield return new("SoftmaxCrossEntropy3", new DifferentiableFunction(3, p => F.SoftmaxCrossEntropy3(p[0], p[1], p[2], 1), (p, g) => F.SoftmaxCrossEntropy3Gradient(p[0], p[1], p[2], 1, out g[0], out g[1], out g[2])), Ps(P(0.5, -1, 2)), x =>
        {
            double m = x.Max();
            double[] e = x.Select(v => Math.Exp(v - m)).ToArray();
            double s = e.Sum();
            return P(e[0] / s, e[1] / s - 1, e[2] / s);
        });
        yield return new("CommonSubexpressions", F.CommonSubexpressionsObjective(), Ps(P(0.3, 0.7)));
        yield return new("ManyLocals", F.ManyLocalsObjective(), Ps(P(0.3, 0.7, -0.4, 1.1)));
        yield return new("UnusedParameter", F.UnusedParameterObjective(), Ps(P(3, 5)), x => P(6, 0));
        yield return new("ConstantFunction", F.ConstantFunctionObjective(), Ps(P(3)), x => P(0));
        yield return new("DeadCode", F.DeadCodeObjective(), Ps(P(3)), x => P(3));
        yield return new("Instance.Loss", new Regularized(0.1).LossObjective(), Ps(P(0.5, -0.5), P(-2, 1)), x =>
            P(2 * (x[0] - 1) + 0.2 * x[0] + 0.1 * (Math.Sign(x[0]) + x[0]), 2 * (x[1] + 2) + 0.2 * x[1]));
        yield return new("Struct.Scaled", new Regularized.Inner { K = 3 }.ScaledObjective(), Ps(P(0.5)), x => P(6 * x[0]));
        yield return new("Struct.Static", Regularized.Inner.StaticInStructObjective(), Ps(P(0.5)), x => P(Math.Cos(x[0]) * x[0] + Math.Sin(x[0])));
        yield return new("OtherProject.Sigmoid", Shared.SigmoidObjective(), Ps(P(0.5), P(-3)), x => { double s = Shared.Sigmoid(x[0]); return P(s * (1 - s)); });
        yield return new("OtherProject.Nested", new Shared.Nested(2).WeightedObjective(), Ps(P(0.5)), x => P(2 * Math.Cos(x[0])));
    }

    public static IEnumerable<object[]> CaseData() => Cases().Select(c => new object[] { c });

    [Fact]
    public void CatalogHasAtLeastSixtyFunctions() => Assert.True(Cases().Count() >= 60, $"{Cases().Count()} functions");

    [Theory]
    [MemberData(nameof(CaseData))]
    public void GeneratedGradientMatchesNumericGradient(Case c)
    {
        foreach (var x in c.Points)
        {
            var result = GradientCheck.Check(c.Function, x, c.Options ?? Tight);
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(CaseData))]
    public void GeneratedGradientMatchesClosedForm(Case c)
    {
        if (c.ClosedForm is null)
        {
            return;
        }

        foreach (var x in c.Points)
        {
            var g = new double[x.Length];
            c.Function.ValueAndGradient(x, g);
            var expected = c.ClosedForm(x);
            for (int i = 0; i < g.Length; i++)
            {
                Assert.True(Math.Abs(g[i] - expected[i]) <= c.ClosedFormTolerance * (1 + Math.Abs(expected[i])),
                    $"{c.Name} at ({string.Join(", ", x)}): component {i} is {g[i]:R}, closed form {expected[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseData))]
    public void GradientMethodReturnsTheFunctionsValueExactly(Case c)
    {
        foreach (var x in c.Points)
        {
            var g = new double[x.Length];
            double viaGradient = c.Function.ValueAndGradient(x, g);
            Assert.Equal(c.Function.Value(x), viaGradient);
        }
    }
}
