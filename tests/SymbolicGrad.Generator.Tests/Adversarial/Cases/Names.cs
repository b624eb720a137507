namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>
/// User names that equal the generator's own (t0, value, result, xBar, dX, values, n, k, i1...): generated names must
/// never shadow or capture a user symbol. And very large or deep methods.
/// </summary>
public static partial class AdversarialCases
{
    private static IEnumerable<AdversarialCase> Names()
    {
        const string S5 = "issue 8 §5: const fields named like generated temporaries";

        yield return G("ConstFieldsNamedLikeTemporaries", """
                private const double t0 = 2, t1 = 3, value = 5, result = 7;
                private const int k = 2, n = 3;
                private static readonly double[] values = { 1.5, 2.5 };
                [Differentiable] public static double F(double x)
                {
                    double y = (x + t0) * (x + t1);
                    return y * value + result * x + k * n * x + values[1] * x;
                }
            """, x => [(2 * x[0] + 5) * 5 + 7 + 6 + 2.5], S5);
        yield return G("LocalsNamedLikeGeneratedNames", """
                [Differentiable] public static double F(double x)
                {
                    double t0 = x * x;
                    double t1 = t0 + x;
                    double xBar = t1 * 2;
                    double dX = xBar - t0;
                    double value = dX * x;
                    double result = value + 1;
                    return result;
                }
            """, x => [3 * x[0] * x[0] + 4 * x[0]], "locals named t0, t1, xBar, dX, value, result");
        yield return G("LoopLocalsNamedLikeGeneratedNames", """
                [Differentiable] public static double F(double[] values, int n)
                {
                    double k = 0;
                    for (int i1 = 0; i1 < n; i1++)
                    {
                        double i2 = values[i1 % values.Length];
                        k = k * 0.5 + i2 * i2;
                    }

                    return k;
                }
            """, note: "a parameter named values, locals named k, i1, i2, a data parameter n (the generator's stack, counters and indices)") with
        {
            Targets = [new Target { Data = new Dictionary<string, string> { ["n"] = "5" } }],
        };
        yield return E("ParametersNamedLikeAdjoints", "SG0007", """
                [Differentiable] public static double F(double x, double xBar, double [|dY|], double y) => x * xBar + dY * y;
            """, "dY", "rename") with { Note = "parameters named xBar and dY: dY is also the output of y" };
        yield return G("FieldNamedLikeAnOutput", """
                private static readonly double dX = 4;
                [Differentiable] public static double F(double x) => x * x * dX;
            """, x => [8 * x[0]], "a field named dX: the output parameter dX of FGradient must not hide it");
        yield return G("FieldNamedLikeTheObjectivesLambdaParameters", """
                private static readonly double parameters = 2, gradient = 3;
                [Differentiable] public static double F(double x) => x * parameters + x * x * gradient;
            """, x => [2 + 6 * x[0]], "fields named parameters and gradient");
        yield return G("InstanceFieldsNamedLikeTemporaries", """
                private readonly double t0 = 1.5;
                private readonly double value = 2.5;
                private readonly double self = 0.5;
                [Differentiable] public double F(double x)
                {
                    double y = x * t0;
                    return y * value + self * x;
                }
            """, note: "instance fields named t0, value, self (the objective's receiver)") with
        {
            Wrapper = "public partial class C",
            Targets = [new Target { Instance = "new global::$NS.C()", Closed = x => [1.5 * 2.5 + 0.5] }],
        };
        yield return G("MethodNamedLikeATemporaryCalledFromTheMethod", """
                static double t0(double v) => v * v;
                static double value(double v) => v + 1;
                [Differentiable] public static double F(double x)
                {
                    double y = x * 3;
                    return t0(y) + value(x);
                }
            """, x => [18 * x[0] + 1], "helpers named t0 and value");
        yield return G("TypeNamedLikeATemporary", Usings + "namespace $NS;\n" + """
                public static class t0 { public const double Scale = 3; }
                public static class value { public static double Twice(double v) => 2 * v; }
                public static partial class C
                {
                    [Differentiable] public static double F(double x)
                    {
                        double a = x * x;
                        return t0.Scale * a + value.Twice(x);
                    }
                }
                """, x => [6 * x[0] + 2], "types named t0 and value") with { WholeFile = true };
        yield return G("ThrowMessageReadsALocalNamedLikeATemporary", """
                [Differentiable] public static double F(double x)
                {
                    double t0 = x * 2;
                    double value = t0 + 1;
                    if (value > 5) throw new ArgumentException($"t0 = {t0}, value = {value}");
                    return value * t0;
                }
            """, x => [8 * x[0] + 2], "a throw that reads locals named like temporaries") with
        {
            Targets = [new Target { Closed = x => [8 * x[0] + 2], ThrowsAt = [[2.5], [3.0]] }],
        };
        yield return G("PropertyNamedLikeAnOutputOfAnotherMethod", """
                public static double dY { get; } = 3;
                [Differentiable] public static double G(double y) => y * dY;
                [Differentiable] public static double F(double x) => G(x) * x;
            """, x => [6 * x[0]], "a property named dY next to G(y), whose output is dY") with
        {
            Targets = [new Target { Closed = x => [6 * x[0]] }, new Target { Method = "G", Closed = x => [3] }],
        };

        // ---- large and deep ----
        yield return G("SumOf2000Terms", """
                [Differentiable] public static double F(double x, double y) => 
            """ + string.Join(" + ", Enumerable.Range(1, 2000).Select(i => (i % 2 == 0 ? "x" : "y") + " * " + (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".5")) + ";",
            x => [Enumerable.Range(1, 2000).Where(i => i % 2 == 0).Sum(i => i % 7 + 0.5), Enumerable.Range(1, 2000).Where(i => i % 2 == 1).Sum(i => i % 7 + 0.5)], "issue 8 §5: very long expressions") with { Heavy = true };
        yield return G("ProductChainOf500Factors", """
                [Differentiable] public static double F(double x) => 
            """ + string.Join(" * ", Enumerable.Range(0, 500).Select(_ => "(1 + x * 0.001)")) + ";",
            x => [0.5 * Math.Pow(1 + x[0] * 0.001, 499)], "issue 8 §5: very long expressions") with { Heavy = true };
        yield return G("DeeplyNestedParentheses150", """
                [Differentiable] public static double F(double x) => 
            """ + string.Concat(Enumerable.Repeat("(1.001 * ", 150)) + "x" + new string(')', 150) + ";",
            x => [Enumerable.Repeat(1.001, 150).Aggregate(1.0, (a, b) => a * b)], "issue 8 §5: deep nesting (150 levels of parentheses)") with { Heavy = true };
        yield return E("DeeplyNestedParentheses300", "SG0019", """
                [Differentiable] public static double F(double x) => [|
            """ + string.Concat(Enumerable.Repeat("(1.001 * ", 300)) + "x" + new string(')', 300) + "|];", "nested", "helper") with
        {
            LineOnly = true,
            Note = "issue 8 §3: past the documented depth limit, one SG0019 (not a crash, not one per level)",
        };
        yield return G("DeeplyNestedCalls90", """
                [Differentiable] public static double F(double x) => 
            """ + string.Concat(Enumerable.Repeat("Math.Sin(", 90)) + "x" + new string(')', 90) + ";",
            x =>
            {
                double v = x[0], d = 1;
                for (int i = 0; i < 90; i++)
                {
                    d *= Math.Cos(v);
                    v = Math.Sin(v);
                }

                return [d];
            }, "issue 8 §5: deep nesting (90 nested calls)") with { Heavy = true };
        yield return G("DeeplyNestedConditionals60", """
                [Differentiable] public static double F(double x) => 
            """ + string.Concat(Enumerable.Range(0, 60).Select(i => "x < " + (0.3 + 0.023 * i).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " ? x * " + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + " : ")) + "-x;",
            note: "issue 8 §5: deep nesting (60 nested ?:)") with { Heavy = true };
        yield return E("DeeplyNestedConditionals250", "SG0019", """
                [Differentiable] public static double F(double x) => [|
            """ + string.Concat(Enumerable.Range(0, 250).Select(i => "x < " + (0.3 + 0.005 * i).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " ? x * " + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + " : ")) + "-x|];", "nested", "helper") with
        {
            LineOnly = true,
            Note = "issue 8 §3: past the documented depth limit, one SG0019",
        };
        yield return G("FiveThousandStatements", """
                [Differentiable] public static double F(double x)
                {
                    double y = x;
            """ + string.Concat(Enumerable.Range(0, 5000).Select(i => "        y = y * 0.999 + " + (i % 3 == 0 ? "x" : "0.001") + ";\n")) + "        return y;\n    }",
            x =>
            {
                double d = 1;
                for (int i = 0; i < 5000; i++)
                {
                    d = d * 0.999 + (i % 3 == 0 ? 1 : 0);
                }

                return [d];
            }, "issue 8 §4: a 5,000-statement method") with { Heavy = true };
    }
}
