using System.Globalization;
using SymbolicGrad.Generator.Frontend;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Emit;

/// <summary>NameObjective: the method as a DifferentiableFunction of the vector of its differentiable parameters.</summary>
internal static partial class MethodWriter
{
    /// <summary>A struct parameter whose every leaf is differentiated can be rebuilt from the vector; one with data fields cannot.</summary>
    private static bool ObjectiveSupported(MethodModel m, IrMethod ir) => true;

    /// <summary>A differentiated struct parameter with members that are not (an int, a bool): the factory takes the struct, whose other members stay fixed.</summary>
    private static bool HasFixedMembers(IrParam p) => p.StructType is not null && p.Leaves.Any(l => !l.Differentiable);

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

        /// <summary>For a matrix leaf: jagged (double[][]) or rectangular (double[,]); null for the rest.</summary>
        public bool? Jagged { get; set; }

        /// <summary>For a matrix leaf: what the factory takes for its shape (int wRows, int wColumns; or int[] wRowLengths).</summary>
        public List<string> ShapeParameters { get; } = new();

        /// <summary>For a matrix leaf: the factory's statements that check the shape and compute <see cref="Length"/>.</summary>
        public List<string> ShapeLocals { get; } = new();

        /// <summary>For a matrix leaf: the shape arguments of a buffer (wRows, wColumns; or the copy of the row lengths).</summary>
        public string Shape { get; set; } = string.Empty;

        /// <summary>For a matrix leaf: its shape for the packed names (new[] { wRows, wColumns }, or the row lengths).</summary>
        public string NameShape { get; set; } = string.Empty;
    }

    /// <summary>
    /// How a generated function of a parameter vector calls the method: the vector's slots (one per differentiable leaf,
    /// arrays as slices of a length the factory takes), the arguments of the value call, and the statements that put the
    /// vector into them first (copies into exact-length buffers, writes into trainable members).
    /// </summary>
    private sealed class VectorPlan
    {
        public List<Slot> Slots { get; } = new();

        public List<string> ValueArgs { get; } = new();

        public List<string> Prelude { get; } = new();

        public List<string> TrainableLengths { get; } = new();

        public List<string> FactoryParameters { get; } = new();

        public List<(IrParam Param, ParameterModel Model)> Data { get; } = new();

        public string Dimension { get; set; } = "0";

        public string X { get; set; } = "parameters";

        public string Self { get; set; } = "self";

        public string Receiver { get; set; } = string.Empty;

        public string TypeArguments { get; set; } = string.Empty;

        /// <summary>
        /// Stems of the buffers (b0, b1…) and output temporaries (g0, g1…) the lambdas declare, and the counter of their
        /// copy loops: the stems with an underscore added while a data parameter has such a name (a captured b0 would be
        /// shadowed by the buffer: the method called with its own buffer as the data).
        /// </summary>
        public string BufferStem { get; set; } = "b";

        public string TempStem { get; set; } = "g";

        public string Index { get; set; } = "i";

        /// <summary>The next free ObjectiveBuffers slot.</summary>
        public int Buffers { get; set; }

        public Names Names { get; set; } = new();

        public string Scalar(Slot s, string vector) => s.Leaf.Var.Type.IsSingle ? "(float)" + vector + "[" + s.Offset + "]" : vector + "[" + s.Offset + "]";

        /// <summary>The argument for an array slot of a vector: the slice itself for a ReadOnlySpan&lt;double&gt; parameter, else a buffer filled from it.</summary>
        public string ArrayArg(Slot s, string declaredType, string vector)
        {
            string slice = vector + ".Slice(" + s.Offset + ", " + s.Length + ")";
            if (s.Jagged is { } jagged)
            {
                // A matrix: a buffer of its shape, filled row-major from the slice.
                string m = BufferStem + Buffers.ToString(CultureInfo.InvariantCulture);
                Prelude.Add("var " + m + " = " + MatrixBuffer(s, Buffers++) + ";");
                Prelude.Add(Matrices + ".CopyFrom(" + slice + ", " + m + ");");
                return m;
            }

            var element = s.Leaf.Var.Type.Element!;
            if (!element.IsSingle && declaredType.StartsWith("global::System.ReadOnlySpan<", StringComparison.Ordinal))
            {
                return slice;
            }

            string b = BufferStem + Buffers.ToString(CultureInfo.InvariantCulture);
            string call = element.IsSingle ? "Singles" : "Doubles";
            Prelude.Add("var " + b + " = global::SymbolicGrad.Internal.ObjectiveBuffers." + call + "(" + Buffers.ToString(CultureInfo.InvariantCulture) + ", " + s.Length + ");");
            Buffers++;
            if (element.IsSingle)
            {
                Prelude.Add("for (int " + Index + " = 0; " + Index + " < " + s.Length + "; " + Index + "++) " + b + "[" + Index + "] = (float)" + vector + "[" + s.Offset + " + " + Index + "];");
            }
            else
            {
                Prelude.Add(slice + ".CopyTo(" + b + ");");
            }

            return b;
        }

        /// <summary>A buffer of a matrix slot's shape (reused per thread, as ObjectiveBuffers).</summary>
        public static string MatrixBuffer(Slot s, int buffer) =>
            Matrices + "." + (s.Jagged == true ? "Jagged" : "Matrix") + "<" + (ScalarElement(s.Leaf.Var.Type).IsSingle ? "float" : "double") + ">(" + buffer.ToString(CultureInfo.InvariantCulture) + ", " + s.Shape + ")";

        /// <summary>
        /// A struct argument rebuilt from its slots of a vector. Members that are not differentiated (an int, a bool) are
        /// the factory's struct's, or default in a direction.
        /// </summary>
        public string StructArg(IrParam p, string vector, bool direction = false)
        {
            var mine = Slots.Where(s => s.Param == p).ToList();
            var parts = p.StructConstruction!;
            int slot = 0;
            for (int k = 0; k < p.Leaves.Count; k++)
            {
                var leaf = p.Leaves[k];
                string arg = leaf.Differentiable ? Scalar(mine[slot++], vector) : direction ? "default" : p.Name + leaf.Access;
                parts = parts.Replace("{" + k.ToString(CultureInfo.InvariantCulture) + "}", arg);
            }

            return parts;
        }
    }

    /// <summary>The stem, with underscores added until no parameter is named the stem followed by digits.</summary>
    private static string FreeStem(string stem, IEnumerable<ParameterModel> parameters)
    {
        var names = parameters.Select(p => p.Name.TrimStart('@')).ToList();
        while (names.Any(n => n.Length > stem.Length && n.StartsWith(stem, StringComparison.Ordinal) && n.Substring(stem.Length).All(char.IsDigit)))
        {
            stem += "_";
        }

        return stem;
    }

    /// <summary>Results spans in <see cref="VectorPlan.ValueArgs"/> are this placeholder until a writer knows the span's name.</summary>
    private const string ResultsPlaceholder = "\u0001results";

    private static VectorPlan Plan(MethodModel m, IrMethod ir)
    {
        var plan = new VectorPlan();
        var names = new Names();
        foreach (var p in m.Parameters)
        {
            names.Reserve(p.Name);
        }

        plan.Names = names;
        plan.BufferStem = FreeStem("b", m.Parameters);
        plan.TempStem = FreeStem("g", m.Parameters);
        plan.Index = names.Allocate("i");
        plan.X = names.Allocate("parameters");
        plan.Self = names.Allocate("self");
        foreach (var p in ir.Params.Where(p => p.Differentiable))
        {
            foreach (var leaf in p.Leaves.Where(l => l.Differentiable))
            {
                string stem = p.Kind == ParamKind.Trainable ? p.Name.Substring("this.".Length).TrimStart('@').TrimStart('_') : p.Name.TrimStart('@') + leaf.Access.Replace(".", "_");
                string? length = leaf.Var.Type.IsArray ? names.Allocate(stem + "Length") : null;
                if (length is not null && p.Kind == ParamKind.Trainable)
                {
                    // A trainable array's length (and a matrix's shape) is the model's own: read once, when the function is made.
                    string member = plan.Self + p.Name.Substring("this".Length);
                    plan.TrainableLengths.Add("if (" + member + " is null) global::SymbolicGrad.Internal.AdjointBuffers.ThrowModelNull(" + Literal(p.Name.Substring("this.".Length).TrimStart('@')) + ");");
                    plan.TrainableLengths.Add("int " + length + " = " + (IsJagged(leaf.Var.Type) ? Matrices + ".Count(" + member + ")" : member + ".Length") + ";");
                    if (IsMatrix(leaf.Var.Type))
                    {
                        var trained = new Slot(p, leaf, length) { Jagged = IsJagged(leaf.Var.Type) };
                        if (IsJagged(leaf.Var.Type))
                        {
                            string shape = names.Allocate(stem + "Shape");
                            plan.TrainableLengths.Add("var " + shape + " = " + Matrices + ".RowLengthsOf(" + member + ");");
                            trained.Shape = shape;
                            trained.NameShape = shape;
                        }
                        else
                        {
                            string rows = names.Allocate(stem + "Rows");
                            string columns = names.Allocate(stem + "Columns");
                            plan.TrainableLengths.Add("int " + rows + " = " + member + ".GetLength(0), " + columns + " = " + member + ".GetLength(1);");
                            trained.Shape = rows + ", " + columns;
                            trained.NameShape = "new[] { " + rows + ", " + columns + " }";
                        }

                        plan.Slots.Add(trained);
                        continue;
                    }
                }

                var slot = new Slot(p, leaf, length);
                if (IsMatrix(leaf.Var.Type) && length is not null)
                {
                    // A matrix takes its shape (rows and columns, or each row's length); its length in the vector is computed.
                    if (IsJagged(leaf.Var.Type))
                    {
                        string rowLengths = names.Allocate(stem + "RowLengths");
                        string shape = names.Allocate(stem + "Shape");
                        slot.Jagged = true;
                        slot.ShapeParameters.Add("int[] " + rowLengths);
                        slot.ShapeLocals.Add("var " + shape + " = " + Matrices + ".Shape(" + rowLengths + ", " + Literal(rowLengths) + ", out int " + length + ");");
                        slot.Shape = shape;
                        slot.NameShape = shape;
                    }
                    else
                    {
                        string rows = names.Allocate(stem + "Rows");
                        string columns = names.Allocate(stem + "Columns");
                        slot.Jagged = false;
                        slot.ShapeParameters.Add("int " + rows);
                        slot.ShapeParameters.Add("int " + columns);
                        slot.ShapeLocals.Add("int " + length + " = " + Matrices + ".Size(" + rows + ", " + columns + ", " + Literal(rows) + ", " + Literal(columns) + ");");
                        slot.Shape = rows + ", " + columns;
                        slot.NameShape = "new[] { " + rows + ", " + columns + " }";
                    }
                }

                plan.Slots.Add(slot);
            }
        }

        // Offsets: constants for scalars, then the lengths of the arrays before.
        int constant = 0;
        var symbolic = new List<string>();
        string Offset() => symbolic.Count == 0
            ? constant.ToString(CultureInfo.InvariantCulture)
            : string.Join(" + ", symbolic) + (constant == 0 ? string.Empty : " + " + constant.ToString(CultureInfo.InvariantCulture));
        foreach (var s in plan.Slots)
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

        plan.Dimension = Offset();
        plan.TypeArguments = m.ObjectiveClosesOverDouble ? "<" + string.Join(", ", m.TypeParameters.Select(_ => "double")) + ">" : string.Empty;
        plan.Receiver = m.IsStatic ? string.Empty : plan.Self + ".";
        foreach (var (p, model) in ir.Params.Zip(m.Parameters, (p, mp) => (p, mp)))
        {
            if (p.Kind == ParamKind.Results)
            {
                plan.ValueArgs.Add(ResultsPlaceholder);
                continue;
            }

            if (!p.Differentiable)
            {
                plan.ValueArgs.Add(p.Name);
                plan.Data.Add((p, model));
                continue;
            }

            var slot = plan.Slots.First(s => s.Param == p);
            if (p.StructType is not null)
            {
                plan.ValueArgs.Add(plan.StructArg(p, plan.X));
                if (HasFixedMembers(p))
                {
                    plan.Data.Add((p, model));
                }
            }
            else if (slot.Length is null)
            {
                plan.ValueArgs.Add(plan.Scalar(slot, plan.X));
            }
            else
            {
                plan.ValueArgs.Add(plan.ArrayArg(slot, model.Type, plan.X));
            }
        }

        // Trainable members: written from the vector before each evaluation (the model is trained in place).
        foreach (var slot in plan.Slots.Where(s => s.Param.Kind == ParamKind.Trainable))
        {
            string member = plan.Self + slot.Param.Name.Substring("this".Length);
            bool single = slot.Leaf.Var.Type.IsSingle || slot.Leaf.Var.Type.Element is { IsSingle: true };
            if (slot.Jagged is not null)
            {
                // A matrix member keeps its shape: the vector's slice is copied into it row-major (one reshaped since the
                // objective was made is named first).
                if (slot.Shape is { Length: > 0 } madeShape)
                {
                    plan.Prelude.Add(Matrices + ".ThrowIfReshaped(" + member + ", " + madeShape + ", " + Literal(slot.Param.Name.Substring("this.".Length).TrimStart('@')) + ");");
                }

                plan.Prelude.Add(Matrices + ".CopyFrom(" + plan.X + ".Slice(" + slot.Offset + ", " + slot.Length + "), " + member + ");");
            }
            else if (slot.Length is null)
            {
                plan.Prelude.Add(member + " = " + (single ? "(float)" : string.Empty) + plan.X + "[" + slot.Offset + "];");
            }
            else
            {
                // The array the objective was made for: one replaced or nulled since is named, not an index error.
                string shown = Literal(slot.Param.Name.Substring("this.".Length).TrimStart('@'));
                plan.Prelude.Add("if (" + member + " is null || " + member + ".Length != " + slot.Length + ") global::SymbolicGrad.Internal.AdjointBuffers.ThrowModelChanged("
                    + shown + ", " + member + "?.Length ?? -1, " + slot.Length + ");");
                plan.Prelude.Add(single
                    ? "for (int " + plan.Index + " = 0; " + plan.Index + " < " + slot.Length + "; " + plan.Index + "++) " + member + "[" + plan.Index + "] = (float)" + plan.X + "[" + slot.Offset + " + " + plan.Index + "];"
                    : plan.X + ".Slice(" + slot.Offset + ", " + slot.Length + ").CopyTo(" + member + ");");
            }
        }

        // Data declared not nullable (double[] y in a nullable context) and given null: named now, not a
        // NullReferenceException at the first evaluation.
        plan.TrainableLengths.InsertRange(0, plan.Data.Where(d => d.Model.NotNull).Select(d => "global::System.ArgumentNullException.ThrowIfNull(" + d.Model.Name + ");"));

        // A data array that is a [Trainable] array of the model (LossObjective(model.W) for a penalty toward w0): the
        // objective writes each point into the member, so the data would move with the point while its derivative is
        // taken as zero. Refused when the objective is made.
        // A row of jagged data (LossObjective(new[] { model.W })), or data that is a row of a [Trainable] matrix, is checked the same way.
        var trainedArrays = plan.Slots.Where(s => s.Param.Kind == ParamKind.Trainable && s.Leaf.Var.Type.IsArray).Select(s => s.Param).Distinct().ToList();
        var sharingChecks = new List<string>();
        // Any data that may hold an array: a List<double[]>, a tuple, a memory or a list over one too (red-team P); not numbers.
        static bool Number(IrParam p) => p.Leaves.Count == 1 && p.Leaves[0].Var.Type is { IsArray: false } t && (t.IsReal || t.IsInt || t.Equals(IrType.Bool));
        foreach (var (data, dataModel) in plan.Data.Where(d => !Number(d.Param) && !(d.Model.IsRefLike && !d.Model.Type.Contains("Span<", StringComparison.Ordinal))))
        {
            foreach (var trained in trainedArrays)
            {
                string member = plan.Self + trained.Name.Substring("this".Length);
                sharingChecks.Add("global::SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataHoldsMember(" + dataModel.Name + ", "
                    + Literal(dataModel.Name.TrimStart('@')) + ", " + member + ", " + Literal(trained.Name.Substring("this.".Length).TrimStart('@')) + ");");
            }
        }

        // Two [Trainable] members that are one array (B = A in the constructor), or a matrix whose rows are one array: packed
        // as independent coordinates they would be counted twice. Refused when the objective is made.
        if (trainedArrays.Count > 1 || trainedArrays.Any(t => IsJagged(t.Leaves[0].Var.Type)))
        {
            sharingChecks.Add("global::SymbolicGrad.Internal.AdjointBuffers.ThrowIfMembersShare(new object?[] { "
                + string.Join(", ", trainedArrays.Select(t => plan.Self + t.Name.Substring("this".Length))) + " }, new[] { "
                + string.Join(", ", trainedArrays.Select(t => Literal(t.Name.Substring("this.".Length).TrimStart('@')))) + " });");
        }

        plan.TrainableLengths.AddRange(sharingChecks);
        if (sharingChecks.Count > 0)
        {
            // The same checks again when a member is replaced after the objective was made (B = A, or W = a data array
            // of the same length: the length check passes, and each point was written twice into one array, a wrong
            // gradient; red-team O). Comparing the references costs nothing per evaluation; the checks run on a change.
            var made = trainedArrays.Select(_ => plan.Names.Allocate("made")).ToList();
            var members = trainedArrays.Select(t => plan.Self + t.Name.Substring("this".Length)).ToList();
            var changed = new List<string>();
            var remember = new List<string>();
            for (int k = 0; k < made.Count; k++)
            {
                plan.TrainableLengths.Add("object? " + made[k] + " = " + members[k] + ";");
                changed.Add("!global::System.Object.ReferenceEquals(" + members[k] + ", " + made[k] + ")");
                remember.Add(made[k] + " = " + members[k] + ";");
                if (IsJagged(trainedArrays[k].Leaves[0].Var.Type))
                {
                    // and a row replaced (W[1] = W[0], W[0] = a data array): the rows' references too
                    string rows = plan.Names.Allocate("madeRows");
                    plan.TrainableLengths.Add("object?[]? " + rows + " = global::SymbolicGrad.Internal.AdjointBuffers.RowsOf(" + members[k] + ");");
                    changed.Add("!global::SymbolicGrad.Internal.AdjointBuffers.SameRows(" + rows + ", " + members[k] + ")");
                    remember.Add(rows + " = global::SymbolicGrad.Internal.AdjointBuffers.RowsOf(" + members[k] + ");");
                }
            }

            plan.Prelude.Insert(0, "if (" + string.Join(" || ", changed) + ") { " + string.Join(" ", sharingChecks) + " " + string.Join(" ", remember) + " }");
        }

        plan.FactoryParameters.AddRange(plan.Slots.Where(s => s.Length is not null && s.Param.Kind != ParamKind.Trainable).SelectMany(s => s.Jagged is null ? new[] { "int " + s.Length } : s.ShapeParameters.ToArray()));
        plan.FactoryParameters.AddRange(plan.Data.Select(t => FactoryType(m, t.Model) + " " + t.Model.Name));
        return plan;
    }

    /// <summary>
    /// <paramref name="parameters"/>, a factory's list, whose last entries are the data parameters <paramref name="data"/>,
    /// with the default values of the last ones that have one: NameObjective(n) then works for F(double[] x, double
    /// scale = 2) as F(x) does. Only for a list the data ends (NameObjective's; NameLeastSquares' ends with rLength).
    /// </summary>
    private static List<string> WithDefaults(List<string> parameters, List<ParameterModel> data)
    {
        var result = parameters.ToList();
        for (int i = data.Count - 1; i >= 0 && data[i].DefaultValue is { } value; i--)
        {
            result[result.Count - data.Count + i] += " = " + value;
        }

        return result;
    }

    /// <summary>
    /// The outputs of a generated method for the differentiable parameters, written into a vector <paramref name="vector"/>:
    /// arguments (out vector[k], vector.Slice(...), or temporaries) and the statements that copy temporaries afterwards.
    /// </summary>
    private static (List<string> Args, List<string> Epilogue) VectorOutputs(VectorPlan plan, IrMethod ir, string vector, ref int temp)
    {
        var args = new List<string>();
        var epilogue = new List<string>();
        foreach (var p in ir.Params.Where(p => p.Differentiable && p.Kind != ParamKind.Trainable).Concat(ir.Params.Where(p => p.Differentiable && p.Kind == ParamKind.Trainable)))
        {
            var mine = plan.Slots.Where(s => s.Param == p).ToList();
            if (p.StructType is not null)
            {
                string t = plan.TempStem + (temp++).ToString(CultureInfo.InvariantCulture);
                args.Add("out var " + t);
                foreach (var s in mine)
                {
                    epilogue.Add(vector + "[" + s.Offset + "] = " + t + s.Leaf.Access + ";");
                }

                continue;
            }

            var slot = mine[0];
            bool single = slot.Leaf.Var.Type.IsSingle || slot.Leaf.Var.Type.Element is { IsSingle: true };
            if (slot.Jagged is not null)
            {
                // A matrix output of the slot's shape, copied into the vector row-major afterwards.
                string t = plan.TempStem + (temp++).ToString(CultureInfo.InvariantCulture);
                plan.Prelude.Add("var " + t + " = " + VectorPlan.MatrixBuffer(slot, plan.Buffers++) + ";");
                args.Add(t);
                epilogue.Add(Matrices + ".CopyTo(" + t + ", " + vector + ".Slice(" + slot.Offset + ", " + slot.Length + "));");
            }
            else if (slot.Length is null)
            {
                if (single)
                {
                    string t = plan.TempStem + (temp++).ToString(CultureInfo.InvariantCulture);
                    args.Add("out float " + t);
                    epilogue.Add(vector + "[" + slot.Offset + "] = " + t + ";");
                }
                else
                {
                    args.Add("out " + vector + "[" + slot.Offset + "]");
                }
            }
            else if (single)
            {
                string t = plan.TempStem + (temp++).ToString(CultureInfo.InvariantCulture);
                plan.Prelude.Add("var " + t + " = global::SymbolicGrad.Internal.ObjectiveBuffers.Singles(" + (plan.Buffers++).ToString(CultureInfo.InvariantCulture) + ", " + slot.Length + ");");
                args.Add(t);
                epilogue.Add("for (int " + plan.Index + " = 0; " + plan.Index + " < " + slot.Length + "; " + plan.Index + "++) " + vector + "[" + slot.Offset + " + " + plan.Index + "] = " + t + "[" + plan.Index + "];");
            }
            else
            {
                args.Add(vector + ".Slice(" + slot.Offset + ", " + slot.Length + ")");
            }
        }

        return (args, epilogue);
    }

    private static string NameList(VectorPlan plan)
    {
        if (plan.Slots.Any(s => s.Jagged is not null))
        {
            return Matrices + ".PackedNames(new[] { " + string.Join(", ", plan.Slots.Select(s => Literal(s.Param.Name.TrimStart('@') + s.Leaf.Access))) + " }, new int[]?[] { "
                + string.Join(", ", plan.Slots.Select(s => s.Jagged is not null ? s.NameShape : s.Length is { } n ? "new[] { " + n + " }" : "null")) + " }, new[] { "
                + string.Join(", ", plan.Slots.Select(s => s.Jagged == true ? "true" : "false")) + " })";
        }

        bool packed = plan.Slots.Any(s => s.Length is not null);
        string nameList = "new[] { " + string.Join(", ", plan.Slots.Select(s => Literal(s.Param.Name.TrimStart('@') + s.Leaf.Access))) + " }";
        return packed
            ? "global::SymbolicGrad.ParameterNameList.Packed(" + nameList + ", new[] { " + string.Join(", ", plan.Slots.Select(s => s.Length ?? "-1")) + " })"
            : nameList;
    }

    private static void WriteLambda(CodeWriter w, string parameters, List<string> prelude, string call, List<string> epilogue, bool returns, string suffix, string? lockOn = null, string value = "value")
    {
        if (prelude.Count == 0 && epilogue.Count == 0 && lockOn is null)
        {
            w.Line("    (" + parameters + ") => " + call + suffix);
            return;
        }

        w.Line("    (" + parameters + ") =>");
        w.Line("    {");
        string indent = "        ";
        if (lockOn is not null)
        {
            // The model's members hold the vector while it is evaluated: one evaluation at a time per model, so that
            // concurrent callers (MultiStart's starts, a user's Parallel.For) each see their own parameters.
            w.Line("        lock (" + lockOn + ")");
            w.Line("        {");
            indent = "            ";
            w.Line(indent + "global::SymbolicGrad.Internal.ObjectiveBuffers.EnterModel(" + lockOn + ");");
        }

        foreach (var line in prelude)
        {
            w.Line(indent + line);
        }

        if (epilogue.Count == 0)
        {
            w.Line(indent + (returns ? "return " : string.Empty) + call + ";");
        }
        else
        {
            w.Line(indent + (returns ? "var " + value + " = " : string.Empty) + call + ";");
            foreach (var line in epilogue)
            {
                w.Line(indent + line);
            }

            if (returns)
            {
                w.Line(indent + "return " + value + ";");
            }
        }

        if (lockOn is not null)
        {
            w.Line("        }");
        }

        w.Line("    }" + suffix);
    }

    /// <summary>The object to lock while the vector is in the model's [Trainable] members; null for an objective without them.</summary>
    private static string? ModelLock(IrMethod ir, VectorPlan plan) => ir.Params.Any(p => p.Kind == ParamKind.Trainable) ? plan.Self : null;

    private static void WriteObjective(CodeWriter w, MethodModel m, IrMethod ir, List<string> derivatives)
    {
        var plan = Plan(m, ir);
        string x = plan.X;
        string g = plan.Names.Allocate("gradient");
        int temp = 0;
        var valuePrelude = plan.Prelude.ToList();
        var (gradientOutputs, epilogue) = VectorOutputs(plan, ir, g, ref temp);
        var gradientPrelude = plan.Prelude.ToList();
        string self = plan.Self;

        w.Line("/// <summary>");
        w.Line("/// <c>" + Xml(m.Stem) + "</c> as a <see cref=\"global::SymbolicGrad.DifferentiableFunction\"/> of the vector (" + string.Join(", ", plan.Slots.Select(s => Xml(s.Param.Name.TrimStart('@') + s.Leaf.Access) + (s.Length is null ? string.Empty : "[…]"))) + "),");
        w.Line("/// for gradient checking and the optimizers" + (plan.Data.Count > 0 ? "; the other parameters are fixed to the values given here" : string.Empty) + ".");
        w.Line("/// </summary>");
        WriteLengthDocs(w, plan);
        foreach (var (_, mp) in plan.Data)
        {
            w.Line("/// <param name=\"" + mp.Name.TrimStart('@') + "\">As in <c>" + Xml(m.Stem) + "</c>; fixed for the function returned.</param>");
        }

        w.Line("/// <returns>A function that evaluates <c>" + Xml(m.Stem) + "</c> and its exact gradient" + (m.Hessian ? ", Hessian-vector products and Hessians" : string.Empty) + ".</returns>");
        w.Line(GeneratedCode);
        w.Open(Modifiers(m, "Objective") + " global::SymbolicGrad.DifferentiableFunction " + m.Stem + "Objective(" + string.Join(", ", WithDefaults(plan.FactoryParameters, plan.Data.Select(d => d.Model).ToList())) + ")");
        WriteObjectiveBody(w, m, ir, derivatives, plan, x, g, valuePrelude, gradientOutputs, epilogue, gradientPrelude, self);
    }

    /// <summary>The factory's parameters that give the arrays' lengths and the matrices' shapes.</summary>
    private static void WriteLengthDocs(CodeWriter w, VectorPlan plan)
    {
        foreach (var s in plan.Slots.Where(s => s.Length is not null && s.Param.Kind != ParamKind.Trainable))
        {
            string of = Xml(s.Param.Name.TrimStart('@') + s.Leaf.Access);
            if (s.Jagged == true)
            {
                w.Line("/// <param name=\"" + ShapeName(s, 0) + "\">The length of each row of <c>" + of + "</c>: its rows, one after another, are its slice of the vector.</param>");
            }
            else if (s.Jagged == false)
            {
                w.Line("/// <param name=\"" + ShapeName(s, 0) + "\">The number of rows of <c>" + of + "</c>.</param>");
                w.Line("/// <param name=\"" + ShapeName(s, 1) + "\">The number of columns of <c>" + of + "</c>: its rows, one after another, are its slice of the vector.</param>");
            }
            else
            {
                w.Line("/// <param name=\"" + s.Length + "\">The length of <c>" + of + "</c>: its slice of the vector.</param>");
            }
        }
    }

    private static void WriteObjectiveBody(CodeWriter w, MethodModel m, IrMethod ir, List<string> derivatives, VectorPlan plan, string x, string g,
        List<string> valuePrelude, List<string> gradientOutputs, List<string> epilogue, List<string> gradientPrelude, string self)
    {
        if (!m.IsStatic)
        {
            w.Line("var " + self + " = this;");
        }

        WriteLengthChecks(w, plan);
        foreach (var line in plan.TrainableLengths.Concat(plan.Slots.SelectMany(s => s.ShapeLocals)))
        {
            w.Line(line);
        }

        string receiver = plan.Receiver;
        string call = receiver + m.Name + plan.TypeArguments + "(" + string.Join(", ", plan.ValueArgs) + ")";
        string gradientCall = receiver + m.Stem + "Gradient" + plan.TypeArguments + "(" + string.Join(", ", plan.ValueArgs.Concat(gradientOutputs)) + ")";
        string widen = ir.ReturnType.IsSingle ? "(double)" : string.Empty;
        w.Line("return new global::SymbolicGrad.DifferentiableFunction(");
        w.Line("    " + plan.Dimension + ",");
        WriteLambda(w, x, valuePrelude, widen + call, new List<string>(), returns: true, ",", ModelLock(ir, plan));
        WriteLambda(w, x + ", " + g, gradientPrelude, widen + gradientCall, epilogue, returns: true, ",", ModelLock(ir, plan), plan.Names.Allocate("value"));
        w.Line("    " + Literal(m.Stem) + ",");
        w.Line("    " + NameList(plan) + ",");
        w.Line("    new string[]");
        w.Line("    {");
        foreach (var d in derivatives)
        {
            w.Line("        " + Literal(d) + ",");
        }

        // A function computed in float: GradientCheck's default step and tolerances follow its rounding unit.
        string end = ComputesInSingle(ir) ? ") { RoundingUnit = global::SymbolicGrad.DifferentiableFunction.SingleRoundingUnit };" : ");";
        if (m.Hessian)
        {
            w.Line("    },");
            // The product's lambda reads the vector as the value's does (the gradient's output buffers are its own).
            plan.Prelude.Clear();
            plan.Prelude.AddRange(valuePrelude);
            WriteHessianArguments(w, m, ir, plan, end);
        }
        else
        {
            w.Line("    }" + end);
        }

        w.Close();
    }

    /// <summary>
    /// The factory's array lengths, checked first: a negative one would otherwise surface as a dimension (their sum)
    /// that names none of them.
    /// </summary>
    private static void WriteLengthChecks(CodeWriter w, VectorPlan plan)
    {
        foreach (var slot in plan.Slots.Where(s => s.Length is not null && s.Jagged is null && s.Param.Kind != ParamKind.Trainable))
        {
            w.Line("global::System.ArgumentOutOfRangeException.ThrowIfNegative(" + slot.Length + ");");
        }
    }

    /// <summary>True when a value of the method is a float: its result, a parameter or a local.</summary>
    private static bool ComputesInSingle(IrMethod ir)
    {
        static bool Single(IrType t) => t.IsSingle || t.Element is { IsSingle: true };
        if (Single(ir.ReturnType) || ir.Leaves.Any(l => Single(l.Var.Type)))
        {
            return true;
        }

        foreach (var (stmt, _) in IrWalk.All(ir.Body))
        {
            if (stmt is Assign a && Single(a.Dst.Type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The name of a matrix slot's k'th shape parameter of the factory (wRows, wColumns, wRowLengths).</summary>
    private static string ShapeName(Slot s, int k) => s.ShapeParameters[k].Substring(s.ShapeParameters[k].IndexOf(' ') + 1);

    /// <summary>Data parameters the factory captures: a span cannot be captured, so the factory takes an array.</summary>
    private static string FactoryType(MethodModel m, ParameterModel p)
    {
        string type = p.Type.StartsWith("global::System.ReadOnlySpan<", StringComparison.Ordinal) || p.Type.StartsWith("global::System.Span<", StringComparison.Ordinal)
            ? p.Type.Substring(p.Type.IndexOf('<') + 1, p.Type.Length - p.Type.IndexOf('<') - 2) + "[]"
            : p.Type;

        // The factory of a generic-math method is not generic: it calls F<double>, so data of type T (a T[] of
        // observations, a T scale) is data of type double.
        if (m.ObjectiveClosesOverDouble)
        {
            foreach (var t in m.TypeParameters)
            {
                type = System.Text.RegularExpressions.Regex.Replace(type, @"(?<![\w.@])" + System.Text.RegularExpressions.Regex.Escape(t) + @"(?!\w)", "double");
            }
        }

        return type;
    }
}
