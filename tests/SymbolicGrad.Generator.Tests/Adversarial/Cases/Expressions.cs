namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>Expressions: patterns, switch expressions, checked, nameof, default, conversions, nullable, tuples, records, throws, literals.</summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Expressions()
    {
        const string S5 = "issue 8 §5";
        const string N9 = "issue 9";

        // ---- patterns ----
        yield return G("RelationalAndPattern", """
                [Differentiable] public static double F(double x) => x is > 0.5 and < 1.2 ? x * x : 3 * x;
            """, x => [x[0] is > 0.5 and < 1.2 ? 2 * x[0] : 3], S5 + ": is-patterns with and/or/not");
        yield return G("OrNotPattern", """
                [Differentiable] public static double F(double x, double y) => (x is < 0.6 or > 1.4) && y is not < 1.0 ? x * y : x + y;
            """, x => (x[0] is < 0.6 or > 1.4) && !(x[1] < 1.0) ? [x[1], x[0]] : [1, 1], S5 + ": is-patterns with and/or/not");
        yield return G("SwitchExpressionWithGuards", """
                [Differentiable] public static double F(double x, int k) => k switch
                {
                    0 => x,
                    1 when x > 1.0 => x * x,
                    1 => Math.Sin(x),
                    _ => Math.Exp(x),
                };
            """, note: S5 + ": switch expressions with guards") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["k"] = "1" }, Closed = x => [x[0] > 1.0 ? 2 * x[0] : Math.Cos(x[0])] },
                new Target { Data = new Dictionary<string, string> { ["k"] = "7" }, Closed = x => [Math.Exp(x[0])] },
            ],
        };
        yield return G("SwitchExpressionOnTheDifferentiatedValue", """
                [Differentiable] public static double F(double x) => x switch
                {
                    < 0.5 => x * x * x,
                    >= 0.5 and < 1.0 => Math.Sqrt(x),
                    _ => 1 / x,
                };
            """, x => [x[0] < 0.5 ? 3 * x[0] * x[0] : x[0] < 1.0 ? 0.5 / Math.Sqrt(x[0]) : -1 / (x[0] * x[0])], S5 + ": switch expressions") with
        {
            Targets = [new Target { Low = 0.05, High = 2.5, Closed = x => [x[0] < 0.5 ? 3 * x[0] * x[0] : x[0] < 1.0 ? 0.5 / Math.Sqrt(x[0]) : -1 / (x[0] * x[0])] }],
        };
        yield return G("TuplePatternSwitch", """
                [Differentiable] public static double F(double x, double y) => (x > 1, y > 1) switch
                {
                    (true, true) => x * y,
                    (true, false) => x - y,
                    (false, _) => x * x + y,
                };
            """, x => x[0] > 1 ? (x[1] > 1 ? [x[1], x[0]] : [1, -1]) : [2 * x[0], 1], S5 + ": tuple patterns");
        yield return G("VarAndDeclarationPatterns", """
                [Differentiable] public static double F(double x) => x * 2 is var y && y is double z ? y * z : 0;
            """, x => [8 * x[0]], S5 + ": var and declaration patterns");
        yield return G("PropertyPatternOnStruct", Usings + "namespace $NS;\n" + """
                public readonly record struct P(double X, double Y);
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var p = new P(x, y);
                        return p is { X: > 1.0, Y: < 1.0 } ? p.X * p.Y : p.X + p.Y;
                    }
                }
                """, x => x[0] > 1 && x[1] < 1 ? [x[1], x[0]] : [1, 1], S5 + ": property patterns") with { WholeFile = true };
        yield return G("ListPatternOnData", """
                [Differentiable] public static double F(double x, [NoDerivative] double[] data) => data is [var first, .., var last] ? x * first + last : x;
            """, note: S5 + ": list patterns") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["data"] = "new double[] { 0.5, 2.0, 4.0 }" }, Closed = x => [0.5] },
                new Target { Data = new Dictionary<string, string> { ["data"] = "new double[0]" }, Closed = x => [1] },
                new Target { Data = new Dictionary<string, string> { ["data"] = "null" }, Closed = x => [1] },
            ],
        };
        yield return G("ListPatternsOnADifferentiableArray", """
                [Differentiable] public static double F(double[] w) => w switch
                {
                    [] => 0,
                    [var a] => a * a,
                    [var a, > 0.5 and var b] => a * b,
                    [var a, _, .., var z] => a * z * z,
                    _ => 1,
                };
            """, note: S5 + ": list patterns in a switch expression: each element read only once the length holds it") with
        {
            Targets =
            [
                new Target { Lengths = new Dictionary<string, int> { ["w"] = 1 }, Closed = x => [2 * x[0]] },
                new Target { Lengths = new Dictionary<string, int> { ["w"] = 2 }, Points = [[0.25, 0.75], [1.5, 1.25]], Closed = x => x[1] > 0.5 ? [x[1], x[0]] : [0, 0] },
                new Target { Lengths = new Dictionary<string, int> { ["w"] = 2 }, Points = [[0.75, 0.25]], Closed = x => [0, 0] },
                new Target { Lengths = new Dictionary<string, int> { ["w"] = 4 }, Closed = x => [x[3] * x[3], 0, 0, 2 * x[0] * x[3]] },
            ],
        };
        yield return G("ListPatternOnASpanInAnIf", """
                [Differentiable] public static double F(double x, [NoDerivative] double[] data)
                {
                    ReadOnlySpan<double> s = data;
                    if (s is [> 0, ..] and [.., var last]) return x * last;
                    return s is [_, var second, ..] ? x * second : -x;
                }
            """, note: S5 + ": list patterns on a span, combined with and") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["data"] = "new double[] { 1.0, 2.0, 3.0 }" }, Closed = x => [3] },
                new Target { Data = new Dictionary<string, string> { ["data"] = "new double[] { -1.0, 2.0 }" }, Closed = x => [2] },
                new Target { Data = new Dictionary<string, string> { ["data"] = "new double[] { -1.0 }" }, Closed = x => [-1] },
            ],
        };
        yield return G("LengthPatternsOnArraysSpansAndStrings", """
                [Differentiable] public static double F(double[] w, [NoDerivative] string? name, [NoDerivative] double[]? data)
                {
                    if (w is { Length: 0 }) return 0;
                    double s = w is { Length: > 2 } ? w[2] * w[0] : w[0];
                    ReadOnlySpan<double> v = w;
                    if (v is { Length: 3 or 4 } && data is { Length: > 0 } d) s += d[0] * w[1];
                    return s + (name is { Length: > 3 } ? w[0] : 0);
                }
            """, note: S5 + ": property patterns on the length of arrays, spans and strings (members read only once the value is not null)") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["name"] = "\"abcd\"", ["data"] = "new[] { 5.0 }" }, Closed = x => [x[2] + 1, 5, x[0]] },
                new Target { Lengths = new Dictionary<string, int> { ["w"] = 2 }, Data = new Dictionary<string, string> { ["name"] = "null", ["data"] = "null" }, Closed = x => [1, 0] },
            ],
        };
        yield return E("ListPatternCapturingTheSlice", "SG0017", """
                [Differentiable] public static double F(double[] w) => w is [var a, [|.. var rest|]] ? a * rest.Length : 0;
            """, "slice pattern");
        yield return G("ConstantPatternAndNotNull", """
                [Differentiable] public static double F(double x, double? scale) => scale is not null && scale is not 0.0 ? x * scale.Value : x;
            """, x => [0.75], S5 + ": patterns on nullable doubles");
        yield return G("SwitchStatementWithPatternsAndGuards", """
                [Differentiable] public static double F(double x, int mode)
                {
                    double r;
                    switch (mode)
                    {
                        case 0:
                            r = x;
                            break;
                        case 1 or 2 when x > 0.2:
                            r = x * x;
                            break;
                        case > 2:
                            r = Math.Log(x);
                            break;
                        default:
                            r = -x;
                            break;
                    }

                    return r * x;
                }
            """, note: N9 + " §1.9: switch statements") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["mode"] = "2" }, Closed = x => [3 * x[0] * x[0]] },
                new Target { Data = new Dictionary<string, string> { ["mode"] = "5" }, Closed = x => [Math.Log(x[0]) + 1] },
            ],
        };

        // ---- operators and conversions ----
        yield return G("CheckedExpression", """
                [Differentiable] public static double F(double x) => checked(x * x + 1) * unchecked(2 * x);
            """, x => [6 * x[0] * x[0] + 2], S5 + ": checked");
        yield return G("CheckedBlock", """
                [Differentiable] public static double F(double x, int n)
                {
                    double y;
                    checked
                    {
                        int m = n * 2;
                        y = x * m;
                    }

                    return y * x;
                }
            """, x => [12 * x[0]], S5 + ": checked");
        yield return G("NameofInArithmetic", """
                [Differentiable] public static double F(double x) => nameof(x).Length * x + nameof(F).Length * x * x;
            """, x => [1 + 2 * x[0]], S5 + ": nameof");
        yield return G("DefaultLiterals", """
                [Differentiable] public static double F(double x)
                {
                    double a = default;
                    double b = default(double);
                    a += x;
                    b = x > 10 ? x : default;
                    return a * a + b;
                }
            """, x => [2 * x[0]], S5 + ": default");
        yield return G("CastToIntIsAConstant", """
                [Differentiable] public static double F(double x) => (int)(x * 3) * x + (long)x;
            """, x => [(int)(x[0] * 3)], "conversions");
        yield return G("RoundTripThroughFloat", """
                [Differentiable] public static double F(double x) => (double)(float)x * 2.0;
            """, note: "conversions through float keep the derivative") with
        {
            Targets = [new Target { Closed = x => [2], Points = [[0.5], [1.25]], FloatPrecision = true }],
        };
        yield return G("FloatLiteralInADoubleMethod", """
                [Differentiable] public static double F(double x) => 0.1f * x * x + 1e-3 * x + 1_000.5 * .5 * x;
            """, x => [2 * (double)0.1f * x[0] + 1e-3 + 1000.5 * 0.5], "literals");
        yield return G("UnaryPlusAndDoubleNegation", """
                [Differentiable] public static double F(double x) => +x * -(-x) - -x;
            """, x => [2 * x[0] + 1], "operators");
        yield return G("FloatingRemainder", """
                [Differentiable] public static double F(double x) => (x * 3) % 1.0 + x % 0.7;
            """, x => [3 + 1], "operators: % on doubles (derivative 1 in the first argument)");
        yield return G("IncrementAndDecrementOnDoubles", """
                [Differentiable] public static double F(double x)
                {
                    double y = x;
                    y++;
                    ++y;
                    y--;
                    double z = y++ * x;
                    return z + y;
                }
            """, x => [2 * x[0] + 2], "operators: ++ and -- on doubles, and a postfix increment's value");
        yield return G("CompoundAssignmentsAllOperators", """
                [Differentiable] public static double F(double x)
                {
                    double y = 1;
                    y += x;
                    y *= x;
                    y -= 0.5 * x;
                    y /= x + 1;
                    y %= 100;
                    return y;
                }
            """, x => [((2 * x[0] + 0.5) * (x[0] + 1) - (x[0] * x[0] + 0.5 * x[0])) / ((x[0] + 1) * (x[0] + 1))], "compound assignment");
        yield return G("BooleanLogicOnDifferentiatedComparisons", """
                [Differentiable] public static double F(double x, double y)
                {
                    bool a = x > y;
                    bool b = x * y > 1;
                    return a ^ b ? x : (a || !b) && x < 2 ? y * y : x * y;
                }
            """, x =>
            {
                bool a = x[0] > x[1], b = x[0] * x[1] > 1;
                return a ^ b ? [1, 0] : (a || !b) && x[0] < 2 ? [0, 2 * x[1]] : [x[1], x[0]];
            }, "bool operators");
        yield return G("SizeofAndTypeofAsData", """
                [Differentiable] public static double F(double x) => sizeof(double) * x + typeof(double).Name.Length * x * x;
            """, x => [8 + 12 * x[0]], "sizeof, typeof");
        yield return G("UsingStaticMath", "using System;\nusing SymbolicGrad;\nusing static System.Math;\nnamespace $NS;\npublic static partial class C\n{\n    [Differentiable] public static double F(double x) => Sin(x) * Exp(x) + PI * x;\n}\n",
            x => [Math.Cos(x[0]) * Math.Exp(x[0]) + Math.Sin(x[0]) * Math.Exp(x[0]) + Math.PI], "using static") with { WholeFile = true };
        yield return G("UsingAliasForDouble", "using SymbolicGrad;\nusing Real = double;\nnamespace $NS;\npublic static partial class C\n{\n    [Differentiable] public static Real F(Real x, Real y) => x * y * y;\n}\n",
            x => [x[1] * x[1], 2 * x[0] * x[1]], "using alias") with { WholeFile = true };
        yield return G("UserTypeNamedMathShadowsSystemMath", Usings + "namespace $NS;\n" + """
                public static class Math { public static double Sin(double v) => v * v; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x) => Math.Sin(x) + System.Math.Sin(x);
                }
                """, x => [2 * x[0] + Math.Cos(x[0])], "a user type named Math") with { WholeFile = true };
        yield return G("UserTypesNamedLikeRuntimeTypes", Usings + "namespace $NS;\n" + """
                public sealed class DifferentiableFunction { }
                public sealed class MemoryExtensions { }
                public sealed class ArgumentException { }
                public static partial class C
                {
                    [Differentiable] public static double F(double[] x)
                    {
                        double s = 0;
                        for (int i = 0; i < x.Length; i++) s += x[i] * x[i] * (i + 1);
                        return s;
                    }
                }
                """, note: "user types that shadow the runtime's (generated code must qualify every name)") with
        {
            WholeFile = true,
            Targets = [new Target { Closed = x => [2 * x[0], 4 * x[1], 6 * x[2]] }],
        };
        yield return G("NamespaceNamedSystemInside", "using SymbolicGrad;\nnamespace $NS.System\n{\n    public static class Math { public static double Cos(double v) => 2 * v; }\n    public static partial class C\n    {\n        [Differentiable] public static double F(double x) => Math.Cos(x) * global::System.Math.Cos(x);\n    }\n}\n",
            x => [2 * Math.Cos(x[0]) - 2 * x[0] * Math.Sin(x[0])], "a namespace named System") with { WholeFile = true, Targets = [new Target { Host = "$NS.System.C", Closed = x => [2 * Math.Cos(x[0]) - 2 * x[0] * Math.Sin(x[0])] }] };

        // ---- math functions ----
        yield return G("PowForms", """
                [Differentiable] public static double F(double x, double y) => Math.Pow(x, 3) + Math.Pow(2, x) + Math.Pow(x, y) + Math.Pow(x, 0.5);
            """, x => [3 * x[0] * x[0] + Math.Log(2) * Math.Pow(2, x[0]) + x[1] * Math.Pow(x[0], x[1] - 1) + 0.5 / Math.Sqrt(x[0]), Math.Log(x[0]) * Math.Pow(x[0], x[1])], "Math.Pow");
        yield return G("LogVariants", """
                [Differentiable] public static double F(double x) => Math.Log(x, 3) + Math.Log10(x) + Math.Log2(x) + double.Log(x) + Math.Log(x + 1);
            """, x => [1 / (x[0] * Math.Log(3)) + 1 / (x[0] * Math.Log(10)) + 1 / (x[0] * Math.Log(2)) + 1 / x[0] + 1 / (x[0] + 1)], "Math.Log");
        yield return G("InverseAndHyperbolic", """
                [Differentiable] public static double F(double x) => Math.Asin(x / 2) + Math.Acos(x / 3) + Math.Atan(x) + Math.Asinh(x) + Math.Acosh(x + 1) + Math.Atanh(x / 2);
            """, x =>
            {
                double v = x[0];
                return [0.5 / Math.Sqrt(1 - v * v / 4) - (1.0 / 3) / Math.Sqrt(1 - v * v / 9) + 1 / (1 + v * v) + 1 / Math.Sqrt(v * v + 1) + 1 / Math.Sqrt((v + 1) * (v + 1) - 1) + 0.5 / (1 - v * v / 4)];
            }, "Math functions");
        yield return G("FusedMultiplyAddCbrtHypot", """
                [Differentiable] public static double F(double x, double y) => Math.FusedMultiplyAdd(x, y, x) + Math.Cbrt(x) + double.Hypot(x, y);
            """, x => [x[1] + 1 + 1 / (3 * Math.Cbrt(x[0] * x[0])) + x[0] / Math.Sqrt(x[0] * x[0] + x[1] * x[1]), x[0] + x[1] / Math.Sqrt(x[0] * x[0] + x[1] * x[1])], "Math functions");
        yield return G("MaxMinClampAbsSign", """
                [Differentiable] public static double F(double x, double y) => Math.Max(x, y) * Math.Min(x, 2 * y) + Math.Clamp(x, 0.5, 1.5) + Math.Abs(x - y) + Math.Sign(x - 1) * x;
            """, note: "Math functions with kinks") with { Targets = [new Target { Low = 0.3, High = 1.7 }] };
        yield return G("RoundingFunctionsHaveZeroDerivative", """
                [Differentiable] public static double F(double x) => Math.Floor(3 * x) + Math.Round(x, 2) * x + Math.Truncate(x) + Math.Ceiling(x) * x;
            """, note: "Math.Round(x, digits)") with { Targets = [new Target { Points = [[0.7012], [1.2137]], Closed = x => [Math.Round(x[0], 2) + Math.Ceiling(x[0])] }] };
        yield return G("CopySignAndScaleB", """
                [Differentiable] public static double F(double x, double y) => Math.CopySign(x * x, y - 1) + Math.ScaleB(x, 3) * y;
            """, x => [2 * x[0] * Math.Sign(x[1] - 1) + 8 * x[1], 8 * x[0]], N9 + " §1.10: CopySign, ScaleB") with
        {
            Targets = [new Target { Points = [[0.7, 0.4], [1.2, 1.6]], Closed = x => [2 * x[0] * Math.Sign(x[1] - 1) + 8 * x[1], 8 * x[0]] }],
        };
        yield return G("LogP1AndExpM1", """
                [Differentiable] public static double F(double x) => double.LogP1(x) * double.ExpM1(x);
            """, x => [double.ExpM1(x[0]) / (1 + x[0]) + double.LogP1(x[0]) * Math.Exp(x[0])], N9 + " §1.10: LogP1, ExpM1");
        yield return G("IsNaNGuard", """
                [Differentiable] public static double F(double x) => double.IsNaN(x) || !double.IsFinite(x) ? 0 : x * x;
            """, x => [2 * x[0]], "IsNaN");
        yield return G("NaNValueMatchesBitForBit", """
                [Differentiable] public static double F(double x) => x > 1.0 ? Math.Sqrt(1.0 - x) * x : x * x;
            """, x => [2 * x[0]], "issue 8 §5: the value equals the function's, NaN included") with
        {
            Targets = [new Target { Low = 0.2, High = 0.9, Closed = x => [2 * x[0]], NonFiniteAt = [[1.5], [3.0]] }],
        };
        yield return G("InfinityFromDivisionByZero", """
                [Differentiable] public static double F(double x, double y) => x / (y - 2.0) + x * y;
            """, x => [1 / (x[1] - 2) + x[1], -x[0] / ((x[1] - 2) * (x[1] - 2)) + x[0]], "∞") with
        {
            Targets = [new Target { Closed = x => [1 / (x[1] - 2) + x[1], -x[0] / ((x[1] - 2) * (x[1] - 2)) + x[0]], NonFiniteAt = [[1.0, 2.0]] }],
        };

        // ---- nullable doubles and ?? ----
        yield return G("NullableLocalCoalesce", """
                [Differentiable] public static double F(double x, bool has)
                {
                    double? y = has ? x * x : null;
                    return (y ?? x) * x;
                }
            """, note: S5 + ": nullable doubles, ??") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["has"] = "true" }, Closed = x => [3 * x[0] * x[0]] },
                new Target { Data = new Dictionary<string, string> { ["has"] = "false" }, Closed = x => [2 * x[0]] },
            ],
        };
        yield return G("NullableValueAndHasValue", """
                [Differentiable] public static double F(double x)
                {
                    double? y = x * 3;
                    double? z = null;
                    return (y.HasValue ? y.Value : 0) + z.GetValueOrDefault(x) + (y + 1 ?? 0);
                }
            """, x => [3 + 1 + 3], S5 + ": nullable doubles (lifted +)");
        yield return G("EmptyPropertyPatternOnANullableDouble", """
                [Differentiable] public static double F(double x, double? scale)
                {
                    if (scale is double k && k > 0) return x * k;
                    return scale is { } z ? z - x : x * x;
                }
            """, note: S5 + ": { } z on a double? (was SG0017 'a property or positional pattern on this value')") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["scale"] = "2.0" }, Closed = x => [2] },
                new Target { Data = new Dictionary<string, string> { ["scale"] = "-2.0" }, Closed = x => [-1] },
                new Target { Data = new Dictionary<string, string> { ["scale"] = "null" }, Closed = x => [2 * x[0]] },
            ],
        };
        yield return G("CoalesceAssignment", """
                [Differentiable] public static double F(double x, double? y, [NoDerivative] string? label)
                {
                    double? z = y * x;
                    double first = z ??= x * x;
                    label ??= "abc";
                    double? acc = null;
                    for (int i = 0; i < 3; i++) acc = (acc ?? 0) + x * i;
                    return first + z.Value * label.Length + acc.GetValueOrDefault(-x);
                }
            """, note: S5 + ": ??= on a double? and on a string (was SG0017 'the coalesce assignment expression')") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["y"] = "2.0", ["label"] = "\"ab\"" }, Closed = x => [2 + 2 * 2 + 3] },
                new Target { Data = new Dictionary<string, string> { ["y"] = "null", ["label"] = "null" }, Closed = x => [2 * x[0] + 2 * x[0] * 3 + 3] },
            ],
        };
        yield return G("GetValueOrDefaultOfANullableParameter", """
                [Differentiable] public static double F(double x, double? s)
                {
                    double? t = s * x;
                    return t.GetValueOrDefault(x * x) + s.GetValueOrDefault() * x + (t + 1).GetValueOrDefault();
                }
            """, note: S5 + ": GetValueOrDefault with and without a default, of a nullable whose HasValue is known only at run time") with
        {
            // s is data (a double? parameter): its HasValue decides which default is taken.
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["s"] = "0.75" }, Closed = x => [3 * 0.75] },
                new Target { Data = new Dictionary<string, string> { ["s"] = "null" }, Closed = x => [2 * x[0]] },
            ],
        };

        // ---- tuples, records, with ----
        yield return G("TupleDeconstructionAndSwap", """
                [Differentiable] public static double F(double x, double y)
                {
                    var (a, b) = (x * 2, y + 1);
                    (a, b) = (b, a);
                    (double c, double d) t = (a * b, a - b);
                    return t.c + t.Item2 * t.d;
                }
            """, x =>
            {
                double a = x[1] + 1, b = 2 * x[0];
                return [2 * a + 2 * (a - b) * -2, b + 2 * (a - b)];
            }, N9 + " §1.5: tuples and swaps");
        yield return G("TupleReturnedByAHelper", """
                static (double Sin, double Cos) Rotate(double angle) => (Math.Sin(angle), Math.Cos(angle));
                [Differentiable] public static double F(double x)
                {
                    var (s, c) = Rotate(x);
                    var r = Rotate(2 * x);
                    return s * c + r.Sin;
                }
            """, x => [Math.Cos(2 * x[0]) + 2 * Math.Cos(2 * x[0])], N9 + " §1.5: tuples from helpers");
        yield return G("RecordWithExpression", Usings + "namespace $NS;\n" + """
                public readonly record struct P(double X, double Y);
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var p = new P(x, y);
                        var q = p with { X = 3 * x };
                        return q.X * q.Y + p.X;
                    }
                }
                """, x => [3 * x[1] + 1, 3 * x[0]], S5 + ": with-expressions") with { WholeFile = true };
        yield return E("RecordClassWithExpression", "SG0017", Usings + "namespace $NS;\n" + """
                public sealed record Params(double A, double B);
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var p = new Params(x, 2.0);
                        var q = [|p with { B = x * x }|];
                        return q.A * q.B;
                    }
                }
                """, "with", "struct") with { WholeFile = true, Also = ["SG0015@F"], Note = S5 + ": with-expressions on a record class (a heap object: refused, with a rewrite; its creation from x is refused too, in the same round)" };
        yield return G("ObjectInitializerOfAClass", Usings + "namespace $NS;\n" + """
                public sealed class Holder { public double V; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var o = new Holder { V = x };
                        return o.V * o.V;
                    }
                }
                """, x => [2 * x[0]], "an object initializer of a class: the value must carry its derivative") with { WholeFile = true };
        yield return G("StructWithOperators", Usings + "namespace $NS;\n" + """
                public readonly struct Vec2
                {
                    public readonly double X, Y;
                    public Vec2(double x, double y) { X = x; Y = y; }
                    public static Vec2 operator +(Vec2 a, Vec2 b) => new(a.X + b.X, a.Y + b.Y);
                    public static Vec2 operator *(double s, Vec2 a) => new(s * a.X, s * a.Y);
                    public double Dot(Vec2 o) => X * o.X + Y * o.Y;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, double y)
                    {
                        var v = new Vec2(x, y);
                        var w = v + x * v;
                        return w.Dot(v);
                    }
                }
                """, x => [2 * x[0] * (1 + x[0]) + x[0] * x[0] + x[1] * x[1], 2 * x[1] * (1 + x[0])], N9 + " §1.5: structs with operators") with { WholeFile = true };
        yield return G("CompoundAssignmentThroughStructFieldsAndProperties", Usings + "namespace $NS;\n" + """
                public struct Acc
                {
                    public double Sum;
                    public double Scale { get; set; }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var a = new Acc { Sum = x, Scale = 2 };
                        a.Sum *= x;
                        a.Sum += x;
                        a.Scale += x;
                        a.Scale *= a.Sum;
                        return a.Scale;
                    }
                }
                """, x => [(2 + x[0]) * (2 * x[0] + 1) + (x[0] * x[0] + x[0])], S5 + ": compound assignment through properties of structs") with { WholeFile = true };
        yield return G("ImplicitConversionOperator", Usings + "namespace $NS;\n" + """
                public readonly struct Meters
                {
                    public readonly double Value;
                    public Meters(double v) { Value = v; }
                    public static implicit operator Meters(double v) => new(v);
                    public static implicit operator double(Meters m) => m.Value;
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        Meters m = x * 2;
                        double back = m;
                        return back * m.Value;
                    }
                }
                """, x => [8 * x[0]], "user-defined conversions") with { WholeFile = true };
        yield return G("InitOnlyPropertiesOfALocalRecord", Usings + "namespace $NS;\n" + """
                public sealed class Options
                {
                    public double Rate { get; init; } = 0.5;
                    public double Decay { get; init; }
                }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        var o = new Options { Decay = x };
                        return o.Rate * x + o.Decay * o.Decay;
                    }
                }
                """, x => [0.5 + 2 * x[0]], S5 + ": init-only properties") with { WholeFile = true };

        // ---- throws ----
        yield return G("InterpolatedThrowWithFormatAndAlignment", """
                [Differentiable] public static double F(double x, int n)
                {
                    double y = x * n;
                    if (y > 10) throw new ArgumentOutOfRangeException(nameof(x), $"{nameof(x)} = {x,8:F3}, y = {y:E2}, n = {n}");
                    return y * y;
                }
            """, x => [18 * x[0]], S5 + ": interpolated throws") with
        {
            Targets = [new Target { Closed = x => [18 * x[0]], ThrowsAt = [[3.5], [4.25]] }],
        };
        yield return G("StringFormatInThrow", """
                [Differentiable] public static double F(double x)
                {
                    double y = Math.Exp(x);
                    if (y > 100) throw new InvalidOperationException(string.Format(System.Globalization.CultureInfo.InvariantCulture, "exp({0}) = {1:R} is too big; {{ }}", x, y));
                    return y;
                }
            """, x => [Math.Exp(x[0])], S5 + ": string formatting in throws") with
        {
            Targets = [new Target { Closed = x => [Math.Exp(x[0])], ThrowsAt = [[5.0]] }],
        };
        yield return G("ExtensionMethodsRunAsWritten", Usings + "namespace $NS.Helpers\n{\n" + """
                    public static class Ext
                    {
                        public static double Twice(this double v) => 2 * v;
                        public static int Count2(this int[] v) => v.Length * 2;
                    }
                }

                namespace $NS
                {
                    using $NS.Helpers;

                    public static partial class C
                    {
                        [Differentiable] public static double F(double x, [NoDerivative] double[] data, [NoDerivative] int[] idx)
                        {
                            if (x > 10) throw new ArgumentException($"mean {data.Average():F2} {data.Max().Twice()} {idx.Count2()}");
                            Span<double> tmp = stackalloc double[data.Length];
                            data.CopyTo(tmp);
                            tmp.Sort();
                            return x * tmp[0] + x * idx.Count2() + data.Max().Twice() * x;
                        }
                    }
                }
                """, note: "extension methods on data (LINQ, MemoryExtensions.Sort, the project's own in another namespace) in code run as written: printed as static calls (CS1061 in the generated file before)") with
        {
            WholeFile = true,
            Targets =
            [
                new Target
                {
                    Data = new Dictionary<string, string> { ["data"] = "new double[] { 3.0, 1.0, 2.0 }", ["idx"] = "new int[] { 1, 2 }" },
                    Closed = x => [1 + 4 + 6],
                    ThrowsAt = [[12.0]],
                },
            ],
        };
        yield return G("DataCallsWithOutArguments", """
                [Differentiable] public static double F(double x, [NoDerivative] Dictionary<string, double> table, [NoDerivative] string text, [NoDerivative] string[] keys)
                {
                    double s = 0;
                    if (table.TryGetValue("k", out var k)) s += k * x;
                    if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double parsed)) s += parsed * x * x;
                    int n;
                    if (!int.TryParse("12", out n)) n = 0;
                    bool removed = table.Remove("zz", out _);
                    for (int i = 0; i < keys.Length; i++)
                    {
                        if (table.TryGetValue(keys[i], out var v)) s += v * Math.Sin(x);
                    }

                    return s + n * x + (removed ? 1 : 0);
                }
            """, note: "calls on data that return values through out arguments (TryGetValue, TryParse, out _), also in a loop whose reverse reads them") with
        {
            Targets =
            [
                new Target
                {
                    Data = new Dictionary<string, string>
                    {
                        ["table"] = "new global::System.Collections.Generic.Dictionary<string, double> { [\"k\"] = 2.0, [\"a\"] = 3.0, [\"c\"] = 0.5 }",
                        ["text"] = "\"0.25\"",
                        ["keys"] = "new[] { \"a\", \"b\", \"c\" }",
                    },
                    Closed = x => [2 + 0.5 * x[0] + 3.5 * Math.Cos(x[0]) + 12],
                },
                new Target
                {
                    Data = new Dictionary<string, string>
                    {
                        ["table"] = "new global::System.Collections.Generic.Dictionary<string, double>()",
                        ["text"] = "\"not a number\"",
                        ["keys"] = "new string[0]",
                    },
                    Closed = x => [12],
                },
            ],
        };
        yield return E("DataCallWithAnOutArgumentOfAStruct", "SG0017", """
                public struct P { public double A; }
                [Differentiable] public static double F(double x, [NoDerivative] Dictionary<string, P> table) => [|table.TryGetValue("a", out var p)|] ? p.A * x : x;
            """, "out argument of this type");
        yield return G("HelperThrowingWithPrivateConstants", Usings + "namespace $NS;\n" + """
                public static class Checks
                {
                    private const string Msg = "out of range";
                    private const double Limit = 3.0;
                    private const int Code = -7;
                    private const char Mark = '\'';

                    public static double Square(double v)
                    {
                        if (v > Limit) throw new ArgumentException(Msg + Mark);
                        if (v < -Limit) throw new ArgumentOutOfRangeException(nameof(v), v, $"{Checks.Msg}: {Code} {Limit * 2:R}");
                        return v * v;
                    }
                }

                public static partial class C
                {
                    [Differentiable] public static double F(double x) => Checks.Square(x) + 7 * x;
                }
                """, note: S5 + ": a helper's private constants in its throws are printed as their values") with
        {
            WholeFile = true,
            Targets = [new Target { Closed = x => [2 * x[0] + 7], ThrowsAt = [[3.5], [-4.0]] }],
        };
        yield return G("ThrowExpressions", """
                [Differentiable] public static double F(double x, double[]? data)
                {
                    var d = data ?? throw new ArgumentNullException(nameof(data));
                    return x > 0 ? x * d.Length : throw new ArgumentException("x must be positive, got " + x);
                }
            """, note: "throw expressions") with
        {
            // data is differentiable too (a double[]? without [NoDerivative]): x and its 3 elements; only d.Length is read.
            Targets = [new Target { Closed = x => [x.Length - 1, 0, 0, 0], ThrowsAt = [[-1.0, 1.0, 2.0, 3.0]] }],
        };
        yield return G("VerbatimAndRawStringsInThrow", """"
                [Differentiable] public static double F(double x)
                {
                    if (x > 5) throw new ArgumentException(@"a ""quoted"" {brace} " + $$"""raw {{x}} {not a hole}""");
                    return x * x;
                }
            """", x => [2 * x[0]], "verbatim and raw strings in a throw") with
        {
            Targets = [new Target { Closed = x => [2 * x[0]], ThrowsAt = [[6.0]] }],
        };
        yield return G("ThrowReadsAStaticFieldInAnInterpolation", """
                private static readonly double Limit = 3;
                [Differentiable] public static double F(double x)
                {
                    if (x > Limit) throw new ArgumentException($"x > {Limit}");
                    return x * x;
                }
            """, x => [2 * x[0]], "a static field in an interpolation hole (the generated code qualifies it)") with
        {
            Targets = [new Target { Closed = x => [2 * x[0]], ThrowsAt = [[4.0]] }],
        };

        // ---- data in the computation ----
        yield return G("ObjectCreationOfADataType", """
                [Differentiable] public static double F(double x)
                {
                    var rng = new Random(42);
                    double r = rng.NextDouble();
                    return r * x * x;
                }
            """, x => [2 * new Random(42).NextDouble() * x[0]], "a data object created in the method");
        yield return G("StringDataParameter", """
                [Differentiable] public static double F(double x, string name) => name.Length * x + (name.StartsWith('a') ? x * x : 0);
            """, x => [3 + 2 * x[0]], "string data") with { Targets = [new Target { Data = new Dictionary<string, string> { ["name"] = "\"abc\"" }, Closed = x => [3 + 2 * x[0]] }] };
        yield return G("EnumDataParameter", Usings + "namespace $NS;\n" + """
                public enum Kind { Linear, Square, Cube }
                public static partial class C
                {
                    [Differentiable] public static double F(double x, Kind kind) => kind switch
                    {
                        Kind.Linear => x,
                        Kind.Square => x * x,
                        _ => x * x * x,
                    };
                }
                """, note: "enum data") with
        {
            WholeFile = true,
            Targets = [new Target { Data = new Dictionary<string, string> { ["kind"] = "global::$NS.Kind.Square" }, Closed = x => [2 * x[0]] }],
        };
        yield return G("ConditionalAccessOnData", """
                [Differentiable] public static double F(double x, [NoDerivative] double[]? data) => x * (data?.Length ?? 0) + x * x;
            """, note: "?. on data") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["data"] = "new double[] { 1, 2, 3 }" }, Closed = x => [3 + 2 * x[0]] },
                new Target { Data = new Dictionary<string, string> { ["data"] = "null" }, Closed = x => [2 * x[0]] },
            ],
        };
        yield return G("ConditionalAccessCarriesTheDerivative", """
                [Differentiable] public static double F(double x, double[] w, [NoDerivative] double? scale, [NoDerivative] string? name)
                {
                    double? first = w?[0] * x;
                    return (first ?? 1) + (scale?.CompareTo(0.5) ?? 2) * x + (w?.Length ?? 0) + (name?.Trim().Length ?? 0) * x;
                }
            """, note: "?. reading an element of a differentiable array, calling a method of a double? and of a string") with
        {
            Targets =
            [
                new Target { Data = new Dictionary<string, string> { ["scale"] = "0.75", ["name"] = "\" ab \"" }, Closed = x => [x[1] + 1 + 2, x[0], 0, 0] },
                new Target { Data = new Dictionary<string, string> { ["scale"] = "null", ["name"] = "null" }, Closed = x => [x[1] + 2, x[0], 0, 0] },
            ],
        };
        yield return G("SideEffectsThatDoNotChangeTheValue", """
                [Differentiable] public static double F(double x, [NoDerivative] double[] data)
                {
                    ArgumentNullException.ThrowIfNull(data);
                    ArgumentOutOfRangeException.ThrowIfNegative(x);
                    System.Diagnostics.Debug.Assert(x >= 0, "x is not negative");
                    System.Diagnostics.Debug.WriteLine("evaluating");
                    Console.Out.Flush();
                    return x * x * data.Length;
                }
            """, x => [6 * x[0]], N9 + " §1.8: side effects that do not change the value");
        yield return G("ConstLocalsAndConstFields", """
                private const double Half = 0.5;
                private const int Count = 4;
                [Differentiable] public static double F(double x)
                {
                    const double scale = Half * Count;
                    const string unit = "m";
                    return scale * x * x + unit.Length * x;
                }
            """, x => [4 * x[0] + 1], "constants");
        yield return G("PreprocessorDirectivesAndCommentsInTheBody", """
                [Differentiable] public static double F(double x)
                {
                    #region the value
                    double y = x /* a comment in the middle */ * x; // and one at the end
            #if NEVER_DEFINED
                    y = 0;
            #else
                    y += x;
            #endif
            #pragma warning disable CS0219
                    int unused = 3;
            #pragma warning restore CS0219
                    #endregion
                    return y;
                }
            """, x => [2 * x[0] + 1], "preprocessor directives inside the body");
    }
}
