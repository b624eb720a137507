using System.Globalization;
using SymbolicGrad.Generator.Frontend;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;
using SymbolicGrad.Generator.Optimize;
using SymbolicGrad.Generator.Transforms;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Forward mode and second order: NameTangent (value and directional derivative), NameHessianVectorProduct
/// (forward-over-reverse: the tangent of the gradient), and for a vector-valued method NameTangent (J·v),
/// NameJacobian and NameLeastSquares.
/// </summary>
internal static partial class MethodWriter
{
    /// <summary>The direction's name for a parameter in NameTangent and NameHessianVectorProduct: vX for x.</summary>
    public static string DirectionName(string parameterName) => "v" + Discovery.OutputName(parameterName).Substring(1);

    /// <summary>The Hessian-vector product's output for a parameter: hvX for x.</summary>
    public static string ProductName(string parameterName) => "hv" + Discovery.OutputName(parameterName).Substring(1);

    /// <summary>The direction parameters (one per differentiable parameter) and, per leaf, the variable that holds its direction.</summary>
    private static (List<string> Parameters, Dictionary<Var, Operand> Seeds, List<string> Checks) Directions(IrMethod ir)
    {
        var parameters = new List<string>();
        var seeds = new Dictionary<Var, Operand>();
        var checks = new List<string>();
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            string name = DirectionName(p.Name);
            if (p.StructType is not null)
            {
                parameters.Add(p.Type + " " + name);
                foreach (var leaf in p.Leaves.Where(l => l.Differentiable))
                {
                    var v = ir.NewVar(name, leaf.Var.Type, VarRole.Parameter);
                    v.Name = name + leaf.Access;
                    seeds[leaf.Var] = v;
                }

                continue;
            }

            var leaf0 = p.Leaves[0];
            if (IsMatrix(leaf0.Var.Type))
            {
                // A matrix's direction is a matrix of its shape.
                var v = ir.NewVar(name, leaf0.Var.Type, VarRole.Parameter);
                v.Name = name;
                seeds[leaf0.Var] = v;
                parameters.Add(leaf0.Var.Type.CSharp + " " + name);
                NullCheck(p, checks);
                checks.Add(Matrices + ".CheckShape(" + name + ", \"" + name + "\", " + p.Name + ", \"" + p.Name.TrimStart('@') + "\");");
            }
            else if (leaf0.Var.Type.IsArray)
            {
                var element = leaf0.Var.Type.Element!;
                var v = ir.NewVar(name, IrType.ArrayOf(element, ArrayForm.ReadOnlySpan), VarRole.Parameter);
                v.Name = name;
                seeds[leaf0.Var] = v;
                parameters.Add("global::System.ReadOnlySpan<" + element.CSharp + "> " + name);
                NullCheck(p, checks);
                checks.Add("if (" + name + ".Length != " + LengthOf(p) + ") global::SymbolicGrad.Internal.AdjointBuffers.ThrowLength(\"" + name + "\", " + name + ".Length, \"" + p.Name.TrimStart('@') + "\", " + LengthOf(p) + ");");
            }
            else
            {
                var v = ir.NewVar(name, leaf0.Var.Type, VarRole.Parameter);
                v.Name = name;
                seeds[leaf0.Var] = v;
                parameters.Add(p.Type + " " + name);
            }
        }

        return (parameters, seeds, checks);
    }

    private static string DirectionList(IrMethod ir) =>
        string.Join(", ", ir.Params.Where(p => p.Differentiable).Select(p => "<paramref name=\"" + DirectionName(p.Name) + "\"/>"));

    private static void PrintBody(CodeWriter w, MethodModel m, IrMethod ir, Block body, IEnumerable<Var> predeclared, List<string> checks, Var? returned)
    {
        ForgetNames(body, ir);
        var names = ReservedNames(m, ir);
        foreach (var v in predeclared)
        {
            names.Reserve(v.Name!);
        }

        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            names.Reserve(DirectionName(p.Name));
            names.Reserve(ProductName(p.Name));
        }

        names.Reserve("tangent");
        names.Reserve("jacobian");

        w.OpenBrace();
        foreach (var c in checks)
        {
            w.Line(c);
        }

        var printer = new BodyPrinter(w, names);
        foreach (var leaf in ir.Leaves)
        {
            printer.Predeclare(leaf.Var);
        }

        foreach (var v in predeclared)
        {
            printer.Predeclare(v);
        }

        DeclareResources(w, printer, ir);
        printer.Print(body);
        if (returned is not null)
        {
            w.Line("return " + printer.NameOf(returned) + ";");
        }

        w.Close();
    }

    private static Var NewOutput(IrMethod ir, string name, IrType type)
    {
        var o = ir.NewVar(name, type, VarRole.Output);
        o.Name = name;
        return o;
    }

    // ---------------------------------------------------------------------------------------------------------
    // [Differentiable(Hessian = true)] on a scalar method: NameTangent and NameHessianVectorProduct

    private static void WriteSecondOrder(CodeWriter w, MethodModel m, IrMethod ir, CancellationToken ct)
    {
        WriteScalarTangent(w, m, ir, ct);
        w.Line();
        WriteHessianVectorProduct(w, m, ir, ct);
    }

    private static void WriteScalarTangent(CodeWriter w, MethodModel m, IrMethod source, CancellationToken ct)
    {
        var ir = source.Fork();
        var (directions, seeds, checks) = Directions(ir);
        var tangent = new Tangent(ir, ir.Body, seeds, "forward mode");
        var body = tangent.Run();
        ct.ThrowIfCancellationRequested();
        var value = ir.NewVar("value", ir.ReturnType, VarRole.Local);
        body.Add(new Ir.Assign(value, new Instr(Opcode.Copy, ir.ReturnType, new[] { ir.Result ?? new Const(0, ir.ReturnType) })));
        var output = NewOutput(ir, "tangent", ir.ReturnType);
        var dot = ir.Result is { } r ? tangent.TangentOf(r) : new Const(0, ir.ReturnType);
        body.Add(new Ir.Assign(output, new Instr(Opcode.Copy, ir.ReturnType, new[] { dot.Type.Equals(ir.ReturnType) ? dot : new Const(0, ir.ReturnType) })));
        DisposeResources(ir, body);
        DebugHooks.Emit("tangent", m.Stem, () => IrDump.Block(body));
        Optimizer.Run(body, ir, new HashSet<Var> { value, output });

        w.Line("/// <summary>");
        w.Line("/// The value of <c>" + Xml(m.Stem) + "</c> and its directional derivative along (" + DirectionList(ir) + "):");
        w.Line("/// ∇" + Xml(m.Stem) + "·v, from one forward sweep that carries tangents (forward-mode differentiation, written at build time by SymbolicGrad).");
        w.Line("/// </summary>");
        foreach (var p in m.Parameters)
        {
            w.Line("/// <param name=\"" + p.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>.</param>");
        }

        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            w.Line("/// <param name=\"" + DirectionName(p.Name) + "\">The direction's component for " + Xml(p.Name.TrimStart('@')) + ".</param>");
        }

        w.Line("/// <param name=\"tangent\">Receives ∇" + Xml(m.Stem) + "·v.</param>");
        w.Line("/// <returns>The value of <c>" + Xml(m.Stem) + "</c>, the same as calling it.</returns>");
        w.Line(GeneratedCode);
        WriteOptimizeAtOnce(w, body);
        var parameters = m.Parameters.Select(p => p.Modifiers + p.Type + " " + p.Name).Concat(directions).Append("out " + ReturnTypeOf(m) + " tangent");
        w.Line(Modifiers(m, "Tangent") + " " + m.ReturnType + " " + m.Stem + "Tangent" + TypeParameterList(m) + "(" + string.Join(", ", parameters) + ")");
        WriteConstraints(w, m);
        PrintBody(w, m, ir, body, seeds.Values.OfType<Var>().Append(output), checks, value);
    }

    private static string ReturnTypeOf(MethodModel m) => m.ReturnType;

    private static void WriteConstraints(CodeWriter w, MethodModel m)
    {
        foreach (var constraint in m.Constraints)
        {
            w.Line("    " + constraint);
        }
    }

    private static void WriteHessianVectorProduct(CodeWriter w, MethodModel m, IrMethod source, CancellationToken ct)
    {
        var g = BuildGradient(m, source, ct);
        var ir = g.Ir;
        var (directions, seeds, checks) = Directions(ir);
        var directionVars = seeds.Values.OfType<Var>().Where(v => v.Type.IsArray).ToList();
        checks.InsertRange(0, g.Checks);

        // Each output span dW gets its tangent span hvW: the Hessian-vector product's slice for w.
        var productParams = new List<string>();
        var spans = new List<Var>();
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            string name = ProductName(p.Name);
            if (p.StructType is not null)
            {
                productParams.Add("out " + p.Type + " " + name);
                continue;
            }

            var leaf = p.Leaves[0];
            if (IsMatrix(leaf.Var.Type))
            {
                // A matrix's product output is a matrix of its shape, checked as its gradient output is.
                var hv = NewOutput(ir, name, leaf.Var.Type);
                seeds[g.ArrayOutputs[leaf.Var]] = hv;
                spans.Add(hv);
                productParams.Add(leaf.Var.Type.CSharp + " " + name);
                checks.AddRange(MatrixChecks(ir, p, name, leaf.Var.Type, ir.Params.Where(IsRealArrayParam).ToList()));
            }
            else if (leaf.Var.Type.IsArray)
            {
                var element = leaf.Var.Type.Element!;
                var hv = NewOutput(ir, name, IrType.ArrayOf(element, ArrayForm.Span));
                seeds[g.ArrayOutputs[leaf.Var]] = hv;
                spans.Add(hv);
                productParams.Add("global::System.Span<" + element.CSharp + "> " + name);
                checks.Add("if (" + name + ".Length != " + LengthOf(p) + ") global::SymbolicGrad.Internal.AdjointBuffers.ThrowLength(\"" + name + "\", " + name + ".Length, \"" + p.Name.TrimStart('@') + "\", " + LengthOf(p) + ");");
                // the product is cleared at entry and written while x is read: memory shared with an input was read as zeros
                checks.AddRange(OutputOverlapsInputs(ir, name, element));
            }
            else
            {
                productParams.Add("out " + p.Type + " " + name);
            }
        }

        // Nor may an output share memory with a direction (hvX = vX, to compute H·v in place, gave 0 without a word):
        // the outputs are cleared at entry and the direction is read after.
        foreach (var output in g.ArrayOutputs.Values.Concat(spans))
        {
            foreach (var direction in directionVars.Where(v => ScalarElement(v.Type).Equals(ScalarElement(output.Type))))
            {
                checks.Add(OverlapCheck(output.Name!, output.Type, output.Name!, direction.Name!, direction.Type, direction.Name!));
            }
        }

        SpanPairChecks(g.ArrayOutputs.Values.Concat(spans).ToList(), checks);
        var tangent = new Tangent(ir, g.Body, seeds, "second derivatives");
        var body = tangent.Run();
        ct.ThrowIfCancellationRequested();
        var outputs = CopyOutputs(ir, g.Program, body, Discovery.OutputName, x => x);
        var products = CopyOutputs(ir, g.Program, body, ProductName, tangent.TangentOf);
        DisposeResources(ir, body);
        DebugHooks.Emit("hvp", m.Stem, () => IrDump.Block(body));
        Optimizer.Run(body, ir, new HashSet<Var>(outputs.Select(o => o.Var).Concat(products.Select(o => o.Var)).Append(g.Value)));
        ReservePushes.Run(body);

        var differentiable = ir.Params.Where(p => p.Differentiable).ToList();
        w.Line("/// <summary>");
        w.Line("/// The value of <c>" + Xml(m.Stem) + "</c>, its gradient, and its Hessian times the direction (" + DirectionList(ir) + "), exactly,");
        w.Line("/// from one sweep of the gradient that carries tangents (forward-over-reverse differentiation, written at build time by SymbolicGrad):");
        w.Line("/// a small constant multiple of the gradient's cost, whatever the number of parameters.");
        w.Line("/// </summary>");
        foreach (var p in m.Parameters)
        {
            w.Line("/// <param name=\"" + p.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>.</param>");
        }

        foreach (var p in differentiable)
        {
            w.Line("/// <param name=\"" + DirectionName(p.Name) + "\">The direction's component for " + Xml(p.Name.TrimStart('@')) + ".</param>");
        }

        foreach (var p in differentiable)
        {
            w.Line("/// <param name=\"" + Discovery.OutputName(p.Name) + "\">Receives ∂" + Xml(m.Stem) + "/∂" + Xml(p.Name.TrimStart('@')) + ".</param>");
        }

        foreach (var p in differentiable)
        {
            w.Line("/// <param name=\"" + ProductName(p.Name) + "\">Receives the " + Xml(p.Name.TrimStart('@')) + " component of H·v.</param>");
        }

        w.Line("/// <returns>The value of <c>" + Xml(m.Stem) + "</c>, the same as calling it.</returns>");
        w.Line(GeneratedCode);
        WriteOptimizeAtOnce(w, body);
        var parameters = m.Parameters.Select(p => p.Modifiers + p.Type + " " + p.Name).Concat(directions).Concat(g.OutputParams).Concat(productParams);
        w.Line(Modifiers(m, "HessianVectorProduct") + " " + m.ReturnType + " " + m.Stem + "HessianVectorProduct" + TypeParameterList(m) + "(" + string.Join(", ", parameters) + ")");
        WriteConstraints(w, m);
        var predeclared = seeds.Values.OfType<Var>().Concat(g.ArrayOutputs.Values).Concat(outputs.Select(o => o.Var)).Concat(products.Select(o => o.Var)).Distinct().ToList();
        PrintBody(w, m, ir, body, predeclared, checks, g.Value);
    }

    /// <summary>The Hessian-vector product argument of DifferentiableFunction in NameObjective (the Hessian is assembled from it).</summary>
    private static void WriteHessianArguments(CodeWriter w, MethodModel m, IrMethod ir, VectorPlan plan, string end)
    {
        string v = plan.Names.Allocate("direction");
        string result = plan.Names.Allocate("product");
        var prelude = plan.Prelude.ToList();
        plan.Prelude.Clear();
        var directionArgs = new List<string>();
        var gradientArgs = new List<string>();
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            var slot = plan.Slots.First(s => s.Param == p);
            if (p.StructType is not null)
            {
                directionArgs.Add(plan.StructArg(p, v, direction: true));
                gradientArgs.Add("out _");
            }
            else if (slot.Length is null)
            {
                directionArgs.Add(plan.Scalar(slot, v));
                gradientArgs.Add("out _");
            }
            else if (slot.Jagged is not null)
            {
                directionArgs.Add(plan.ArrayArg(slot, slot.Leaf.Var.Type.CSharp, v));
                gradientArgs.Add(VectorPlan.MatrixBuffer(slot, plan.Buffers++));
            }
            else
            {
                var element = slot.Leaf.Var.Type.Element!;
                directionArgs.Add(plan.ArrayArg(slot, "global::System.ReadOnlySpan<" + element.CSharp + ">", v));
                string call = element.IsSingle ? "Singles" : "Doubles";
                gradientArgs.Add("global::SymbolicGrad.Internal.ObjectiveBuffers." + call + "(" + (plan.Buffers++).ToString(CultureInfo.InvariantCulture) + ", " + slot.Length + ")");
            }
        }

        int temp = 0;
        var (productArgs, epilogue) = VectorOutputs(plan, ir, result, ref temp);
        prelude.AddRange(plan.Prelude);
        string call2 = plan.Receiver + m.Stem + "HessianVectorProduct" + plan.TypeArguments + "(" + string.Join(", ", plan.ValueArgs.Concat(directionArgs).Concat(gradientArgs).Concat(productArgs)) + ")";
        var lines = new List<string>(prelude);
        WriteLambda(w, plan.X + ", " + v + ", " + result, lines, call2, epilogue, returns: false, end, ModelLock(ir, plan));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Vector-valued methods: void F(..., Span<double> r)

    private static void WriteJacobian(CodeWriter w, MethodModel m, IrMethod ir, CancellationToken ct)
    {
        var results = ir.Params.Last(p => p.Kind == ParamKind.Results);
        if (!ir.ReturnType.Equals(IrType.Double) || ir.Leaves.Any(l => l.Differentiable && (l.Var.Type.IsSingle || l.Var.Type.Element is { IsSingle: true } || l.Var.Type.IsGeneric || (l.Var.Type.Element?.IsGeneric ?? false))))
        {
            throw new UnsupportedException("A vector-valued method of float or generic values (" + m.Stem + ")", "write it with double parameters and a Span<double> of results");
        }

        WriteVectorTangent(w, m, ir, results, ct);
        w.Line();
        WriteJacobianMethod(w, m, ir, results);
        if (!m.Omit.Contains("Objective"))
        {
            w.Line();
            WriteLeastSquares(w, m, ir, results);
            WriteRectangularOverload(w, m, ir, "LeastSquares", "global::SymbolicGrad.LeastSquaresFunction", results);
        }
    }

    private static void WriteVectorTangent(CodeWriter w, MethodModel m, IrMethod source, IrParam results, CancellationToken ct)
    {
        var ir = source.Fork();
        var (directions, seeds, checks) = Directions(ir);
        string r = results.Name;
        var output = NewOutput(ir, "tangent", IrType.ArrayOf(IrType.Double, ArrayForm.Span));
        seeds[results.Leaves[0].Var] = output;
        checks.Add("if (tangent.Length != " + r + ".Length) global::SymbolicGrad.Internal.AdjointBuffers.ThrowLength(\"tangent\", tangent.Length, \"" + r.TrimStart('@') + "\", " + r + ".Length);");
        checks.Add("if (global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<double>)tangent, (global::System.ReadOnlySpan<double>)" + r + ")) global::SymbolicGrad.Internal.AdjointBuffers.ThrowOverlap(\"tangent\", \"" + r.TrimStart('@') + "\");");
        checks.AddRange(OutputOverlapsInputs(source, "tangent"));
        // the directions are read while the sweep writes tangent and the results (tangent is cleared first): sharing
        // memory with either gave J·v of another direction, silently (red-team H, stop 34); so did results that share
        // an input's memory (the derivative of the method without the aliasing)
        checks.AddRange(DirectionOverlaps(source, "tangent", "tangent"));
        checks.AddRange(DirectionOverlaps(source, r, r.TrimStart('@')));
        checks.AddRange(OutputOverlapsInputs(source, r).Select(c => c.Replace("\"" + r + "\"", "\"" + r.TrimStart('@') + "\"")));
        checks.Add("tangent.Clear();");
        var tangent = new Tangent(ir, ir.Body, seeds, "the Jacobian");
        var body = tangent.Run();
        ct.ThrowIfCancellationRequested();
        DisposeResources(ir, body);
        DebugHooks.Emit("tangent", m.Stem, () => IrDump.Block(body));
        Optimizer.Run(body, ir, new HashSet<Var>());

        w.Line("/// <summary>");
        w.Line("/// Runs <c>" + Xml(m.Stem) + "</c> (writing <paramref name=\"" + r.TrimStart('@') + "\"/>) and writes J·v, the derivative of its results along (" + DirectionList(ir) + "),");
        w.Line("/// into <paramref name=\"tangent\"/>: one forward sweep that carries tangents (forward-mode differentiation, written at build time by SymbolicGrad).");
        w.Line("/// </summary>");
        foreach (var p in m.Parameters)
        {
            w.Line("/// <param name=\"" + p.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>.</param>");
        }

        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            w.Line("/// <param name=\"" + DirectionName(p.Name) + "\">The direction's component for " + Xml(p.Name.TrimStart('@')) + ".</param>");
        }

        w.Line("/// <param name=\"tangent\">Receives J·v; the same length as <paramref name=\"" + r.TrimStart('@') + "\"/>.</param>");
        w.Line(GeneratedCode);
        WriteOptimizeAtOnce(w, body);
        var parameters = m.Parameters.Select(p => p.Modifiers + p.Type + " " + p.Name).Concat(directions).Append("global::System.Span<double> tangent");
        w.Line(Modifiers(m, "Tangent") + " void " + m.Stem + "Tangent" + TypeParameterList(m) + "(" + string.Join(", ", parameters) + ")");
        WriteConstraints(w, m);
        PrintBody(w, m, ir, body, seeds.Values.OfType<Var>(), checks, null);
    }

    /// <summary>
    /// The checks that a span output of doubles (<c>tangent</c>, <c>jacobian</c>) shares no memory with the method's
    /// arrays of doubles, differentiated or data, parameters or [Trainable] members (as gradient outputs are checked).
    /// </summary>
    private static IEnumerable<string> OutputOverlapsInputs(IrMethod ir, string output, IrType? element = null)
    {
        element ??= IrType.Double;
        var type = IrType.ArrayOf(element, ArrayForm.Span);
        foreach (var p in ir.Params.Where(p => IsRealArrayParam(p) || IsRealArrayTrainable(p)))
        {
            var pType = p.Leaves[0].Var.Type;
            if (ScalarElement(pType).Equals(element))
            {
                yield return OverlapCheck(output, type, output, p.Name, pType, p.Name.TrimStart('@'));
            }
        }

        foreach (var check in DataOverlaps(ir, output, type))
        {
            yield return check;
        }
    }

    /// <summary>The checks that output <paramref name="output"/> shares no memory with a direction of an array or matrix parameter.</summary>
    private static IEnumerable<string> DirectionOverlaps(IrMethod ir, string output, string label)
    {
        var type = IrType.ArrayOf(IrType.Double, ArrayForm.Span);
        foreach (var p in ir.Params.Where(p => p.Differentiable && p.StructType is null))
        {
            var pType = p.Leaves[0].Var.Type;
            if (!(pType.IsArray || IsMatrix(pType)) || !ScalarElement(pType).Equals(IrType.Double))
            {
                continue;
            }

            string name = DirectionName(p.Name);
            if (IsMatrix(pType))
            {
                yield return OverlapCheck(output, type, label, name, pType, name);
            }
            else if (pType.IsArray)
            {
                yield return OverlapCheck(output, type, label, name, IrType.ArrayOf(IrType.Double, ArrayForm.ReadOnlySpan), name);
            }
        }
    }

    /// <summary>The number of differentiable values (the Jacobian's columns), as an expression over the method's parameters.</summary>
    private static string DimensionExpression(IrMethod ir)
    {
        int scalars = 0;
        var arrays = new List<string>();
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            foreach (var leaf in p.Leaves.Where(l => l.Differentiable))
            {
                if (IsJagged(leaf.Var.Type))
                {
                    arrays.Add(Matrices + ".Count(" + p.Name + leaf.Access + ")");
                }
                else if (leaf.Var.Type.IsArray)
                {
                    arrays.Add(p.Name + leaf.Access + ".Length");
                }
                else
                {
                    scalars++;
                }
            }
        }

        if (scalars > 0 || arrays.Count == 0)
        {
            arrays.Add(scalars.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(" + ", arrays);
    }

    private static void WriteJacobianMethod(CodeWriter w, MethodModel m, IrMethod ir, IrParam results)
    {
        var names = new Names();
        foreach (var p in m.Parameters)
        {
            names.Reserve(p.Name);
        }

        names.Reserve("jacobian");
        string n = names.Allocate("n");
        string rows = names.Allocate("m");
        string direction = names.Allocate("direction");
        string column = names.Allocate("column");
        string initial = names.Allocate("initial");
        string j = names.Allocate("j");
        string i = names.Allocate("i");
        string r = results.Name;

        // The direction's arguments: the unit vector's slots.
        var args = new List<string>();
        var matrixDirections = new List<string>();
        var matrixFills = new List<string>();
        int scalar = 0;
        var arrayOffsets = new List<string>();
        string Offset() => arrayOffsets.Count == 0 ? scalar.ToString(CultureInfo.InvariantCulture) : string.Join(" + ", arrayOffsets) + (scalar == 0 ? string.Empty : " + " + scalar.ToString(CultureInfo.InvariantCulture));
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            if (p.StructType is not null)
            {
                var parts = p.StructConstruction!;
                for (int k = 0; k < p.Leaves.Count; k++)
                {
                    parts = parts.Replace("{" + k.ToString(CultureInfo.InvariantCulture) + "}", p.Leaves[k].Differentiable ? direction + "[" + Offset() + "]" : "default");
                    if (p.Leaves[k].Differentiable)
                    {
                        scalar++;
                    }
                }

                args.Add(parts);
                continue;
            }

            var leaf = p.Leaves[0];
            if (IsMatrix(leaf.Var.Type))
            {
                // A matrix direction of the parameter's shape, filled from the unit vector's slice before each column.
                string buffer = names.Allocate(DirectionName(p.Name));
                string count = Matrices + ".Count(" + p.Name + ")";
                matrixDirections.Add("var " + buffer + " = " + Matrices + ".ZerosLike(" + p.Name + ");");
                matrixFills.Add(Matrices + ".CopyFrom(global::System.MemoryExtensions.AsSpan(" + direction + ", " + Offset() + ", " + count + "), " + buffer + ");");
                args.Add(buffer);
                arrayOffsets.Add(count);
            }
            else if (leaf.Var.Type.IsArray)
            {
                args.Add("global::System.MemoryExtensions.AsSpan(" + direction + ", " + Offset() + ", " + LengthOf(p) + ")");
                arrayOffsets.Add(LengthOf(p));
            }
            else
            {
                args.Add(direction + "[" + Offset() + "]");
                scalar++;
            }
        }

        w.Line("/// <summary>");
        w.Line("/// Runs <c>" + Xml(m.Stem) + "</c> (writing <paramref name=\"" + r.TrimStart('@') + "\"/>) and fills <paramref name=\"jacobian\"/> with its exact Jacobian, row-major:");
        w.Line("/// row i holds the derivatives of " + Xml(r.TrimStart('@')) + "[i], one column per differentiable value, packed in order as the parameters are");
        w.Line("/// (" + string.Join(", ", ir.Params.Where(p => p.Differentiable).Select(p => Xml(p.Name.TrimStart('@')) + (p.Leaves[0].Var.Type.IsArray ? "[…]" : string.Empty))) + ").");
        w.Line("/// One forward sweep per column (written at build time by SymbolicGrad).");
        w.Line("/// </summary>");
        foreach (var p in m.Parameters)
        {
            w.Line("/// <param name=\"" + p.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>.</param>");
        }

        w.Line("/// <param name=\"jacobian\">Receives the Jacobian: " + Xml(r.TrimStart('@')) + ".Length rows of n columns.</param>");
        w.Line(GeneratedCode);
        var parameters = m.Parameters.Select(p => p.Modifiers + p.Type + " " + p.Name).Append("global::System.Span<double> jacobian");
        w.Line(Modifiers(m, "Jacobian") + " void " + m.Stem + "Jacobian" + TypeParameterList(m) + "(" + string.Join(", ", parameters) + ")");
        WriteConstraints(w, m);
        w.OpenBrace();
        // a null array argument named before its length is read (a NullReferenceException before; red-team M)
        var nullChecks = new List<string>();
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            NullCheck(p, nullChecks);
        }

        foreach (var line in nullChecks)
        {
            w.Line(line);
        }

        w.Line("int " + n + " = " + DimensionExpression(ir) + ";");
        w.Line("int " + rows + " = " + r + ".Length;");
        w.Line("if (jacobian.Length != " + rows + " * " + n + ") global::SymbolicGrad.Internal.AdjointBuffers.ThrowLength(\"jacobian\", jacobian.Length, \"" + r.TrimStart('@') + ".Length × parameters\", " + rows + " * " + n + ");");
        // the Jacobian is written column by column while the method runs again for the next column: memory it shares with
        // the results or an input would be read back changed (a wrong Jacobian, silently)
        w.Line("if (global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<double>)jacobian, (global::System.ReadOnlySpan<double>)" + r + ")) global::SymbolicGrad.Internal.AdjointBuffers.ThrowOverlap(\"jacobian\", \"" + r.TrimStart('@') + "\");");
        foreach (var check in OutputOverlapsInputs(ir, "jacobian"))
        {
            w.Line(check);
        }

        // results that share an input's memory: the method computes with the aliasing, the Jacobian would be that of
        // the method without it (red-team H, stop 34)
        foreach (var check in OutputOverlapsInputs(ir, r))
        {
            w.Line(check.Replace("\"" + r + "\"", "\"" + r.TrimStart('@') + "\""));
        }

        w.Comment("column j of the Jacobian is J·e_j: the tangent of the results along the j-th unit vector");
        w.Line("var " + direction + " = global::SymbolicGrad.Internal.AdjointBuffers.Rent<double>(" + n + ");");
        w.Line("var " + column + " = global::SymbolicGrad.Internal.AdjointBuffers.Rent<double>(" + rows + ");");
        w.Comment("every sweep starts from the " + r.TrimStart('@') + " the caller passed, so that a method that reads it (" + r.TrimStart('@') + "[i] += …) leaves it as one call does");
        w.Line("var " + initial + " = global::SymbolicGrad.Internal.AdjointBuffers.Rent<double>(" + rows + ");");
        w.Line(r + ".CopyTo(global::System.MemoryExtensions.AsSpan(" + initial + ", 0, " + rows + "));");
        w.Line("global::System.Array.Clear(" + direction + ", 0, " + n + ");");
        foreach (var line in matrixDirections)
        {
            w.Line(line);
        }

        w.Line("for (int " + j + " = 0; " + j + " < " + n + "; " + j + "++)");
        w.OpenBrace();
        w.Line(direction + "[" + j + "] = 1.0;");
        w.Line("if (" + j + " > 0) global::System.MemoryExtensions.AsSpan(" + initial + ", 0, " + rows + ").CopyTo(" + r + ");");
        foreach (var line in matrixFills)
        {
            w.Line(line);
        }

        var call = m.Parameters.Select(p => p.Name).Concat(args).Append("global::System.MemoryExtensions.AsSpan(" + column + ", 0, " + rows + ")");
        w.Line((m.IsStatic ? string.Empty : "this.") + m.Stem + "Tangent(" + string.Join(", ", call) + ");");
        w.Line(direction + "[" + j + "] = 0.0;");
        w.Line("for (int " + i + " = 0; " + i + " < " + rows + "; " + i + "++) jacobian[" + i + " * " + n + " + " + j + "] = " + column + "[" + i + "];");
        w.Close();
        w.Line("global::SymbolicGrad.Internal.AdjointBuffers.Return(" + direction + ");");
        w.Line("global::SymbolicGrad.Internal.AdjointBuffers.Return(" + column + ");");
        w.Line("global::SymbolicGrad.Internal.AdjointBuffers.Return(" + initial + ");");
        w.Close();
    }

    private static void WriteLeastSquares(CodeWriter w, MethodModel m, IrMethod ir, IrParam results)
    {
        var plan = Plan(m, ir);
        string rName = results.Name.TrimStart('@');
        string rLength = plan.Names.Allocate(rName + "Length");
        string residuals = plan.Names.Allocate("residuals");
        string jacobian = plan.Names.Allocate("jacobian");
        var valueArgs = plan.ValueArgs.Select(a => a == ResultsPlaceholder ? residuals : a).ToList();
        w.Line("/// <summary>");
        w.Line("/// <c>" + Xml(m.Stem) + "</c> as a <see cref=\"global::SymbolicGrad.LeastSquaresFunction\"/> of the vector (" + string.Join(", ", plan.Slots.Select(s => Xml(s.Param.Name.TrimStart('@') + s.Leaf.Access) + (s.Length is null ? string.Empty : "[…]"))) + ")");
        w.Line("/// with " + Xml(rLength) + " residuals, for Levenberg–Marquardt and Jacobian checking" + (plan.Data.Count > 0 ? "; the other parameters are fixed to the values given here" : string.Empty) + ".");
        w.Line("/// </summary>");
        WriteLengthDocs(w, plan);
        foreach (var (_, mp) in plan.Data)
        {
            w.Line("/// <param name=\"" + mp.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>; fixed for the function returned.</param>");
        }

        w.Line("/// <param name=\"" + rLength + "\">The number of residuals (the length of <c>" + Xml(rName) + "</c>).</param>");
        w.Line("/// <returns>A least-squares function that evaluates the residuals of <c>" + Xml(m.Stem) + "</c> and their exact Jacobian.</returns>");
        w.Line(GeneratedCode);
        w.Open(Modifiers(m, "LeastSquares") + " global::SymbolicGrad.LeastSquaresFunction " + m.Stem + "LeastSquares(" + string.Join(", ", plan.FactoryParameters.Append("int " + rLength)) + ")");
        if (!m.IsStatic)
        {
            w.Line("var " + plan.Self + " = this;");
        }

        WriteLengthChecks(w, plan);
        foreach (var line in plan.TrainableLengths.Concat(plan.Slots.SelectMany(s => s.ShapeLocals)))
        {
            w.Line(line);
        }

        // An index error inside the method is most often a residual count smaller than what it writes: say so.
        w.Line("if (" + rLength + " < 1) global::SymbolicGrad.Internal.AdjointBuffers.ThrowNoResiduals(" + Literal(m.Stem) + ", " + Literal(rLength) + ", " + rLength + ");");
        string error = plan.Names.Allocate("indexError");
        string Guarded(string c) => "try { " + c + "; } catch (global::System.IndexOutOfRangeException " + error + ") { throw global::SymbolicGrad.Internal.AdjointBuffers.ResidualsOutOfRange("
            + Literal(m.Stem) + ", " + Literal(rLength) + ", " + rLength + ", " + error + "); }";
        string call = Guarded(plan.Receiver + m.Name + plan.TypeArguments + "(" + string.Join(", ", valueArgs) + ")");
        string jacobianCall = Guarded(plan.Receiver + m.Stem + "Jacobian" + plan.TypeArguments + "(" + string.Join(", ", valueArgs.Append(jacobian)) + ")");
        w.Line("return new global::SymbolicGrad.LeastSquaresFunction(");
        w.Line("    " + plan.Dimension + ",");
        w.Line("    " + rLength + ",");
        // r(x) is a function of x alone: each evaluation starts from zero residuals, as a new double[m] would, whatever
        // the optimizer's buffer holds (a method may accumulate into them, r[i] += …).
        var prelude = new List<string>(plan.Prelude) { residuals + ".Clear();" };
        WriteLambda(w, plan.X + ", " + residuals, prelude, call, new List<string>(), returns: false, ",", ModelLock(ir, plan));
        WriteLambda(w, plan.X + ", " + residuals + ", " + jacobian, prelude, jacobianCall, new List<string>(), returns: false, ",", ModelLock(ir, plan));
        w.Line("    " + Literal(m.Stem) + ",");
        w.Line("    " + NameList(plan) + ");");
        w.Close();
    }
}
