using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Matrix parameters (<c>double[,] w</c>, jagged <c>double[][] w</c>): their gradient outputs have the parameter's
/// shape (<c>double[,] dW</c>, <c>double[][] dW</c>), checked at entry with <c>MatrixArguments</c> as spans are with
/// lengths and overlaps.
/// </summary>
internal static partial class MethodWriter
{
    private const string Matrices = "global::SymbolicGrad.Internal.MatrixArguments";

    /// <summary>double[,] (rank 2) or jagged double[][] of a real element.</summary>
    internal static bool IsMatrix(IrType t) => t.IsArray && t.Form == ArrayForm.Array
        && ((t.Rank == 2 && t.Element!.IsReal) || IsJagged(t));

    internal static bool IsJagged(IrType t) => t.IsArray && t.Form == ArrayForm.Array && t.Rank == 1
        && t.Element is { IsArray: true, Form: ArrayForm.Array, Rank: 1 } row && row.Element!.IsReal;

    /// <summary>The real element of a vector or matrix.</summary>
    private static IrType ScalarElement(IrType t) => IsJagged(t) ? t.Element!.Element! : t.Element!;

    /// <summary>
    /// A matrix or real vector parameter, differentiated or data (the arrays whose memory outputs must not share: the
    /// outputs are cleared at entry, so data that shares an output's memory would be read as zeros). A jagged data
    /// parameter is checked row by row.
    /// </summary>
    private static bool IsRealArrayParam(IrParam p) => p.Leaves.Count == 1 && p.Kind == ParamKind.Parameter && p.Leaves[0].Access.Length == 0
        && ((p.Leaves[0].Var.Type.IsVector && p.Leaves[0].Var.Type.Element!.IsReal) || IsMatrix(p.Leaves[0].Var.Type));

    /// <summary>A [Trainable] real array or matrix member.</summary>
    private static bool IsRealArrayTrainable(IrParam p) => p.Kind == ParamKind.Trainable && p.Leaves.Count == 1
        && ((p.Leaves[0].Var.Type.IsVector && p.Leaves[0].Var.Type.Element!.IsReal) || IsMatrix(p.Leaves[0].Var.Type));

    /// <summary>An array's memory for an overlap check: a read-only span of its elements, or (for a jagged array) its rows.</summary>
    private static (string Expr, bool Rows) Memory(string name, IrType type)
    {
        string span = "(global::System.ReadOnlySpan<" + ScalarElement(type).CSharp + ">)";
        return IsJagged(type) ? (name, true)
            : type.Rank == 2 ? (span + Matrices + ".AsSpan(" + name + ")", false)
            : (span + name, false);
    }

    /// <summary>The check that output <paramref name="a"/> shares no memory with <paramref name="b"/> (labels as the exception names them).</summary>
    private static string OverlapCheck(string a, IrType aType, string aLabel, string b, IrType bType, string bLabel)
    {
        var (x, xRows) = Memory(a, aType);
        var (y, yRows) = Memory(b, bType);
        if (!xRows && !yRows)
        {
            return "if (global::System.MemoryExtensions.Overlaps(" + x + ", " + y + ")) global::SymbolicGrad.Internal.AdjointBuffers.ThrowOverlap(\"" + aLabel + "\", \"" + bLabel + "\");";
        }

        return Matrices + ".ThrowIfOverlaps(" + x + ", \"" + aLabel + "\", " + y + ", \"" + bLabel + "\");";
    }

    /// <summary>
    /// The checks that output <paramref name="output"/> shares no memory with what the method reads as data besides its
    /// array parameters (<see cref="IrMethod.DataMemories"/>: a List&lt;double&gt; parameter, a static or model field).
    /// </summary>
    private static IEnumerable<string> DataOverlaps(IrMethod ir, string output, IrType type)
    {
        var (x, rows) = Memory(output, type);
        foreach (var (access, label, memory) in ir.DataMemories)
        {
            yield return "global::SymbolicGrad.Internal.AdjointBuffers." + (memory ? "ThrowIfMemoryOverlaps" : "ThrowIfDataOverlaps") + (rows ? "Rows" : string.Empty)
                + "(" + x + ", \"" + output + "\", " + access + ", " + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(label, quote: true) + ");";
        }
    }

    /// <summary>The entry checks of a matrix output: its shape (rows distinct for jagged), then no memory shared with the inputs.</summary>
    private static List<string> MatrixChecks(IrMethod ir, IrParam p, string output, IrType type, List<IrParam> arrayParams)
    {
        var checks = new List<string>();
        NullCheck(p, checks);
        checks.AddRange(new[]
        {
            Matrices + ".CheckShape(" + output + ", \"" + output + "\", " + p.Name + ", \"" + p.Name.TrimStart('@') + "\");",
        });
        if (IsJagged(type))
        {
            checks.Add(Matrices + ".ThrowIfRowsShared(" + output + ", \"" + output + "\");");
        }

        var element = ScalarElement(type);
        foreach (var other in ir.Params.Where(o => IsRealArrayTrainable(o) && !ReferenceEquals(o, p) && ScalarElement(o.Leaves[0].Var.Type).Equals(element)))
        {
            checks.Add(OverlapCheck(output, type, output, other.Name, other.Leaves[0].Var.Type, other.Name));
        }

        if (p.Kind == ParamKind.Trainable)
        {
            // A trainable member's output must not share memory with the member itself either.
            checks.Add(OverlapCheck(output, type, output, p.Name, type, p.Name));
        }

        foreach (var other in arrayParams.Where(o => ScalarElement(o.Leaves[0].Var.Type).Equals(element)))
        {
            checks.Add(OverlapCheck(output, type, output, other.Name, other.Leaves[0].Var.Type, other.Name.TrimStart('@')));
        }

        checks.AddRange(DataOverlaps(ir, output, type));
        return checks;
    }

    /// <summary>
    /// For a method with jagged parameters, NameObjective (NameLeastSquares) takes each one's row lengths; this overload
    /// takes rows and columns instead, for jagged matrices whose rows all have one length (the common case: a layer's
    /// weights W[j][k], a mixture's means[k][d]), and forwards to it.
    /// </summary>
    private static void WriteRectangularOverload(CodeWriter w, MethodModel m, IrMethod ir, string member, string returnType, IrParam? results)
    {
        var plan = Plan(m, ir);
        var jagged = plan.Slots.Where(s => s.Jagged == true && s.Param.Kind != ParamKind.Trainable).ToList();
        if (jagged.Count == 0)
        {
            return;
        }

        string? rLength = results is null ? null : plan.Names.Allocate(results.Name.TrimStart('@') + "Length");
        var parameters = new List<string>();
        var arguments = new List<string>();
        var docs = new List<string>();
        foreach (var s in plan.Slots.Where(s => s.Length is not null && s.Param.Kind != ParamKind.Trainable))
        {
            string of = Xml(s.Param.Name.TrimStart('@') + s.Leaf.Access);
            if (s.Jagged == true)
            {
                string stem = s.Param.Name.TrimStart('@') + s.Leaf.Access.Replace(".", "_");
                string rows = plan.Names.Allocate(stem + "Rows");
                string columns = plan.Names.Allocate(stem + "Columns");
                parameters.Add("int " + rows);
                parameters.Add("int " + columns);
                arguments.Add(Matrices + ".RowLengths(" + rows + ", " + columns + ", " + Literal(rows) + ", " + Literal(columns) + ")");
                docs.Add("/// <param name=\"" + rows + "\">The number of rows of <c>" + of + "</c>.</param>");
                docs.Add("/// <param name=\"" + columns + "\">The length of every row of <c>" + of + "</c>.</param>");
            }
            else
            {
                foreach (var p in s.Jagged is null ? new[] { "int " + s.Length } : s.ShapeParameters.ToArray())
                {
                    string name = p.Substring(p.IndexOf(' ') + 1);
                    parameters.Add(p);
                    arguments.Add(name);
                    docs.Add("/// <param name=\"" + name + "\">As in the overload that takes the row lengths.</param>");
                }
            }
        }

        foreach (var (_, mp) in plan.Data)
        {
            parameters.Add(FactoryType(m, mp) + " " + mp.Name);
            arguments.Add(mp.Name);
            docs.Add("/// <param name=\"" + mp.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>; fixed for the function returned.</param>");
        }

        if (rLength is not null)
        {
            parameters.Add("int " + rLength);
            arguments.Add(rLength);
            docs.Add("/// <param name=\"" + rLength + "\">The number of residuals.</param>");
        }
        else
        {
            parameters = WithDefaults(parameters, plan.Data.Select(d => d.Model).ToList());
        }

        w.Line();
        w.Line("/// <summary>");
        w.Line("/// <c>" + Xml(m.Stem + member) + "</c> for " + string.Join(", ", jagged.Select(s => "<c>" + Xml(s.Param.Name.TrimStart('@')) + "</c>")) + " with rows of one length: rows × columns instead of each row's length.");
        w.Line("/// </summary>");
        foreach (var d in docs)
        {
            w.Line(d);
        }

        w.Line("/// <returns>The same function as the overload that takes the row lengths.</returns>");
        w.Line(GeneratedCode);
        w.Line(Modifiers(m, member) + " " + returnType + " " + m.Stem + member + "(" + string.Join(", ", parameters) + ") =>");
        w.Line("    " + m.Stem + member + "(" + string.Join(", ", arguments) + ");");
    }

    /// <summary>Zeroes a gradient output before the reverse sweep adds into it.</summary>
    private static string ClearOutput(Var o) => IsMatrix(o.Type) ? Matrices + ".Clear(" + o.Name + ");" : o.Name + ".Clear();";
}
