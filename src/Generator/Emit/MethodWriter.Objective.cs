using System.Globalization;
using SymbolicGrad.Generator.Frontend;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Emit;

/// <summary>NameObjective: the method as a DifferentiableFunction of the vector of its differentiable parameters.</summary>
internal static partial class MethodWriter
{
    /// <summary>A struct parameter whose every leaf is differentiated can be rebuilt from the vector; one with data fields cannot.</summary>
    private static bool ObjectiveSupported(MethodModel m, IrMethod ir) =>
        ir.Params.Where(p => p.Differentiable && p.StructType is not null).All(p => p.Leaves.All(l => l.Differentiable));

    private sealed class Slot
    {
        public Slot(IrParam param, Leaf leaf, string? length)
        {
            Param = param;
            Leaf = leaf;
            Length = length;
        }

        public IrParam Param { get; }

        public Leaf Leaf { get; }

        /// <summary>For an array leaf: the factory parameter that gives its length.</summary>
        public string? Length { get; }

        public string Offset { get; set; } = "0";
    }

    private static void WriteObjective(CodeWriter w, MethodModel m, IrMethod ir, List<string> derivatives)
    {
        var names = new Names();
        foreach (var p in m.Parameters)
        {
            names.Reserve(p.Name);
        }

        string x = names.Allocate("parameters");
        string g = names.Allocate("gradient");
        string self = names.Allocate("self");
        var slots = new List<Slot>();
        var trainableLengths = new List<string>();
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            foreach (var leaf in p.Leaves.Where(l => l.Differentiable))
            {
                string stem = p.Kind == ParamKind.Trainable ? p.Name.Substring("this.".Length).TrimStart('@').TrimStart('_') : p.Name.TrimStart('@') + leaf.Access.Replace(".", "_");
                string? length = leaf.Var.Type.IsArray ? names.Allocate(stem + "Length") : null;
                if (length is not null && p.Kind == ParamKind.Trainable)
                {
                    // A trainable array's length is the model's own: read once, when the objective is made.
                    trainableLengths.Add("int " + length + " = " + self + p.Name.Substring("this".Length) + ".Length;");
                }

                slots.Add(new Slot(p, leaf, length));
            }
        }

        // Offsets: constants for scalars, then the lengths of the arrays before.
        int constant = 0;
        var symbolic = new List<string>();
        string Offset() => symbolic.Count == 0
            ? constant.ToString(CultureInfo.InvariantCulture)
            : string.Join(" + ", symbolic) + (constant == 0 ? string.Empty : " + " + constant.ToString(CultureInfo.InvariantCulture));
        foreach (var s in slots)
        {
            s.Offset = Offset();
            if (s.Length is { } len)
            {
                symbolic.Add(len);
            }
            else
            {
                constant++;
            }
        }

        string dimension = Offset();
        string typeArguments = m.ObjectiveClosesOverDouble ? "<" + string.Join(", ", m.TypeParameters.Select(_ => "double")) + ">" : string.Empty;

        // Arguments for the value call and the gradient call; statements that copy arrays into exact-length buffers first.
        var valueArgs = new List<string>();
        var prelude = new List<string>();
        var gradientOutputs = new List<string>();
        var epilogue = new List<string>();
        int buffer = 0;
        string Scalar(Slot s) => s.Leaf.Var.Type.IsSingle ? "(float)" + x + "[" + s.Offset + "]" : x + "[" + s.Offset + "]";
        string ArrayArg(Slot s, string declaredType)
        {
            string slice = x + ".Slice(" + s.Offset + ", " + s.Length + ")";
            var element = s.Leaf.Var.Type.Element!;
            if (!element.IsSingle && declaredType.StartsWith("global::System.ReadOnlySpan<", StringComparison.Ordinal))
            {
                return slice;
            }

            // double[], Span<double> and float arrays need their own copy of the slice.
            string b = "b" + buffer.ToString(CultureInfo.InvariantCulture);
            string call = element.IsSingle ? "Singles" : "Doubles";
            prelude.Add("var " + b + " = global::SymbolicGrad.Internal.ObjectiveBuffers." + call + "(" + buffer.ToString(CultureInfo.InvariantCulture) + ", " + s.Length + ");");
            buffer++;
            if (element.IsSingle)
            {
                prelude.Add("for (int i = 0; i < " + s.Length + "; i++) " + b + "[i] = (float)" + x + "[" + s.Offset + " + i];");
            }
            else
            {
                prelude.Add(slice + ".CopyTo(" + b + ");");
            }

            return b;
        }

        int temp = 0;
        foreach (var (p, model) in ir.Params.Zip(m.Parameters, (p, mp) => (p, mp)))
        {
            if (!p.Differentiable)
            {
                valueArgs.Add(p.Name);
                continue;
            }

            var mine = slots.Where(s => s.Param == p).ToList();
            if (p.StructType is not null)
            {
                // Rebuild the struct from its slots; its gradient comes back as the same struct.
                var parts = p.StructConstruction!;
                for (int k = 0; k < p.Leaves.Count; k++)
                {
                    parts = parts.Replace("{" + k.ToString(CultureInfo.InvariantCulture) + "}", Scalar(mine[k]));
                }

                valueArgs.Add(parts);
                string t = "g" + (temp++).ToString(CultureInfo.InvariantCulture);
                gradientOutputs.Add("out var " + t);
                foreach (var s in mine)
                {
                    epilogue.Add(g + "[" + s.Offset + "] = " + t + s.Leaf.Access + ";");
                }

                continue;
            }

            var slot = mine[0];
            if (slot.Length is null)
            {
                valueArgs.Add(Scalar(slot));
                if (slot.Leaf.Var.Type.IsSingle)
                {
                    string t = "g" + (temp++).ToString(CultureInfo.InvariantCulture);
                    gradientOutputs.Add("out float " + t);
                    epilogue.Add(g + "[" + slot.Offset + "] = " + t + ";");
                }
                else
                {
                    gradientOutputs.Add("out " + g + "[" + slot.Offset + "]");
                }

                continue;
            }

            valueArgs.Add(ArrayArg(slot, model.Type));
            if (slot.Leaf.Var.Type.Element!.IsSingle)
            {
                string t = "g" + (temp++).ToString(CultureInfo.InvariantCulture);
                prelude.Add("var " + t + " = global::SymbolicGrad.Internal.ObjectiveBuffers.Singles(" + (buffer++).ToString(CultureInfo.InvariantCulture) + ", " + slot.Length + ");");
                gradientOutputs.Add(t);
                epilogue.Add("for (int i = 0; i < " + slot.Length + "; i++) " + g + "[" + slot.Offset + " + i] = " + t + "[i];");
            }
            else
            {
                gradientOutputs.Add(g + ".Slice(" + slot.Offset + ", " + slot.Length + ")");
            }
        }

        // Trainable members: written from the vector before each evaluation (the model is trained in place); their
        // gradients come after the method's own outputs.
        foreach (var slot in slots.Where(s => s.Param.Kind == ParamKind.Trainable))
        {
            string member = self + slot.Param.Name.Substring("this".Length);
            bool single = slot.Leaf.Var.Type.IsSingle || slot.Leaf.Var.Type.Element is { IsSingle: true };
            if (slot.Length is null)
            {
                prelude.Add(member + " = " + (single ? "(float)" : string.Empty) + x + "[" + slot.Offset + "];");
                if (single)
                {
                    string t = "g" + (temp++).ToString(CultureInfo.InvariantCulture);
                    gradientOutputs.Add("out float " + t);
                    epilogue.Add(g + "[" + slot.Offset + "] = " + t + ";");
                }
                else
                {
                    gradientOutputs.Add("out " + g + "[" + slot.Offset + "]");
                }
            }
            else if (single)
            {
                prelude.Add("for (int i = 0; i < " + slot.Length + "; i++) " + member + "[i] = (float)" + x + "[" + slot.Offset + " + i];");
                string t = "g" + (temp++).ToString(CultureInfo.InvariantCulture);
                prelude.Add("var " + t + " = global::SymbolicGrad.Internal.ObjectiveBuffers.Singles(" + (buffer++).ToString(CultureInfo.InvariantCulture) + ", " + slot.Length + ");");
                gradientOutputs.Add(t);
                epilogue.Add("for (int i = 0; i < " + slot.Length + "; i++) " + g + "[" + slot.Offset + " + i] = " + t + "[i];");
            }
            else
            {
                prelude.Add(x + ".Slice(" + slot.Offset + ", " + slot.Length + ").CopyTo(" + member + ");");
                gradientOutputs.Add(g + ".Slice(" + slot.Offset + ", " + slot.Length + ")");
            }
        }

        string receiver = m.IsStatic ? string.Empty : self + ".";
        var data = ir.Params.Zip(m.Parameters, (p, mp) => (p, mp)).Where(t => !t.p.Differentiable).ToList();
        var factoryParameters = slots.Where(s => s.Length is not null && s.Param.Kind != ParamKind.Trainable).Select(s => "int " + s.Length)
            .Concat(data.Select(t => FactoryType(t.mp) + " " + t.mp.Name)).ToList();

        w.Line("/// <summary>");
        w.Line("/// <c>" + Xml(m.Stem) + "</c> as a <see cref=\"global::SymbolicGrad.DifferentiableFunction\"/> of the vector (" + string.Join(", ", slots.Select(s => Xml(s.Param.Name.TrimStart('@') + s.Leaf.Access) + (s.Length is null ? string.Empty : "[…]"))) + "),");
        w.Line("/// for gradient checking and the optimizers" + (data.Count > 0 ? "; the other parameters are fixed to the values given here" : string.Empty) + ".");
        w.Line("/// </summary>");
        foreach (var s in slots.Where(s => s.Length is not null && s.Param.Kind != ParamKind.Trainable))
        {
            w.Line("/// <param name=\"" + s.Length + "\">The length of <c>" + Xml(s.Param.Name.TrimStart('@') + s.Leaf.Access) + "</c>: its slice of the vector.</param>");
        }

        foreach (var (_, mp) in data)
        {
            w.Line("/// <param name=\"" + mp.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>; fixed for the function returned.</param>");
        }

        w.Line("/// <returns>A function that evaluates <c>" + Xml(m.Stem) + "</c> and its exact gradient" + (m.Hessian ? ", Hessian-vector products and Hessians" : string.Empty) + ".</returns>");
        w.Line(GeneratedCode);
        w.Open(Modifiers(m, "Objective") + " global::SymbolicGrad.DifferentiableFunction " + m.Stem + "Objective(" + string.Join(", ", factoryParameters) + ")");
        if (!m.IsStatic)
        {
            w.Line("var " + self + " = this;");
        }

        foreach (var line in trainableLengths)
        {
            w.Line(line);
        }

        bool packed = slots.Any(s => s.Length is not null);
        string call = receiver + m.Name + typeArguments + "(" + string.Join(", ", valueArgs) + ")";
        string gradientCall = receiver + m.Stem + "Gradient" + typeArguments + "(" + string.Join(", ", valueArgs.Concat(gradientOutputs)) + ")";
        bool isSingle = ir.ReturnType.IsSingle;
        w.Line("return new global::SymbolicGrad.DifferentiableFunction(");
        w.Line("    " + dimension + ",");
        if (prelude.Count == 0)
        {
            w.Line("    (" + x + ") => " + (isSingle ? "(double)" : string.Empty) + call + ",");
        }
        else
        {
            w.Line("    (" + x + ") =>");
            w.Line("    {");
            foreach (var line in prelude)
            {
                w.Line("        " + line);
            }

            w.Line("        return " + (isSingle ? "(double)" : string.Empty) + call + ";");
            w.Line("    },");
        }

        if (prelude.Count == 0 && epilogue.Count == 0)
        {
            w.Line("    (" + x + ", " + g + ") => " + (isSingle ? "(double)" : string.Empty) + gradientCall + ",");
        }
        else
        {
            w.Line("    (" + x + ", " + g + ") =>");
            w.Line("    {");
            foreach (var line in prelude)
            {
                w.Line("        " + line);
            }

            w.Line("        var value = " + gradientCall + ";");
            foreach (var line in epilogue)
            {
                w.Line("        " + line);
            }

            w.Line("        return " + (isSingle ? "(double)" : string.Empty) + "value;");
            w.Line("    },");
        }

        w.Line("    " + Literal(m.Stem) + ",");
        string nameList = "new[] { " + string.Join(", ", slots.Select(s => Literal(s.Param.Name.TrimStart('@') + s.Leaf.Access))) + " }";
        w.Line(packed
            ? "    global::SymbolicGrad.DifferentiableFunction.PackedNames(" + nameList + ", new[] { " + string.Join(", ", slots.Select(s => s.Length ?? "-1")) + " }),"
            : "    " + nameList + ",");
        w.Line("    new string[]");
        w.Line("    {");
        foreach (var d in derivatives)
        {
            w.Line("        " + Literal(d) + ",");
        }

        if (m.Hessian)
        {
            w.Line("    },");
            WriteHessianArguments(w, m, ir, slots.Select(s => (s.Param, s.Leaf, s.Length, s.Offset)).ToList(), valueArgs, receiver, typeArguments, x, names, prelude);
        }
        else
        {
            w.Line("    });");
        }

        w.Close();
    }

    /// <summary>Data parameters the factory captures: a span cannot be captured, so the factory takes an array.</summary>
    private static string FactoryType(ParameterModel p) =>
        p.Type.StartsWith("global::System.ReadOnlySpan<", StringComparison.Ordinal) || p.Type.StartsWith("global::System.Span<", StringComparison.Ordinal)
            ? p.Type.Substring(p.Type.IndexOf('<') + 1, p.Type.Length - p.Type.IndexOf('<') - 2) + "[]"
            : p.Type;
}
