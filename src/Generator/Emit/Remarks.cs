using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Reverse;

namespace SymbolicGrad.Generator.Emit;

/// <summary>The derivative in plain math for the XML remarks: each output expanded back to the parameters.</summary>
internal static class Remarks
{
    private const int MaxLength = 160;

    public static List<string> Describe(GradientBuilder builder, string functionName)
    {
        var lines = new List<string>();
        foreach (var (parameter, output) in builder.Outputs)
        {
            string name = parameter.Name.TrimStart('@');
            var expanded = Expand(output.Value, builder.Definitions, 0);
            string text = expanded is null
                ? "depends on the branch taken: see the reverse sweep"
                : Printer.Math(expanded);
            if (text.Length > MaxLength)
            {
                text = "(a long expression: see the reverse sweep)";
            }

            lines.Add("∂" + functionName + "/∂" + name + " = " + text);
        }

        foreach (var array in builder.OutputArrays.Keys)
        {
            lines.Add("∂" + functionName + "/∂" + array.Name.TrimStart('@') + "[i]: accumulated element by element by the reverse sweep");
        }

        return lines;
    }

    private static Expr? Expand(Expr e, Dictionary<Var, Expr> definitions, int depth)
    {
        if (depth > 40)
        {
            return null;
        }

        bool ok = true;
        var result = e.Substitute(v =>
        {
            if (v.Role == VarRole.Parameter)
            {
                return null;
            }

            if (!definitions.TryGetValue(v, out var d) || v.IsAccumulator || v.Role == VarRole.Merge)
            {
                ok = false;
                return null;
            }

            var inner = Expand(d, definitions, depth + 1);
            if (inner is null)
            {
                ok = false;
                return null;
            }

            return inner;
        });
        return ok ? result : null;
    }
}
