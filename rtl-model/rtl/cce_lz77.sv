// SPDX-License-Identifier: MIT
// cce_lz77: the level-1 ("fast") LZ77 match finder of the deflate encoder,
// producing the same literal/match token sequence as the reference
// (rtl-model/datapath/compress/deflate_compress.cpp, Encoder::run with
// level 1) for a one-shot job (the whole input in one chunk, no history):
//   - hash of the 4 bytes at pos: (LE32 * 0x9E3779B1) >> (32 - hb), with
//     hb = 10, raised while hb < 15 and 2^hb < job length
//   - head table of 2^hb positions, all 0 at job start (position 0 is in
//     every bucket, as in the reference)
//   - one probe: cand = head[h]; head[h] = pos; a match needs
//     1 <= pos - cand <= 2^wbits - 1 and the 4 bytes at cand equal to the 4
//     at pos; its length is extended up to min(258, end - pos)
//   - greedy; after a match of length <= 16 the positions pos+1 ..
//     min(pos+len, end-3)-1 are hashed into the head table (no probe)
//   - positions from end-3 on are literals.
//
// Interface (clk rising edge, rst synchronous active-high):
//   in_valid/in_ready  input beats of 8 bytes, byte k in in_data[8k +: 8].
//                      The first beat of a job has in_first = 1 and carries
//                      cfg_len (job length in bytes) and cfg_wbits (9..15).
//                      Beat i holds bytes 8i .. min(8i+8, len)-1; a job of
//                      length 0 is one beat with in_first and no data.
//   out_valid/out_ready tokens: out_kind 0 literal (out_lit), 1 match
//                      (out_len 4..258, out_dist 1..32767), 2 end of job.
// Storage: a 64 KiB byte ring (position & 0xFFFF; input may run up to 32 KiB
// ahead of the finder, which keeps the 32 KiB window behind it intact), a
// 32768 x 32-bit head table with a valid bit per entry (an invalid entry
// reads as position 0); at job start the 2^hb valid bits are cleared, 32
// per cycle (32..1024 cycles, overlapping with the input filling the ring).
// Timing: 1 cycle per literal position; a match costs 1 probe cycle +
// ceil((len - 4) / 8) extension cycles (8 byte compares per cycle; a match
// that hits the 258 / end limit exactly needs no final mismatch cycle) +
// one cycle per inserted position (len <= 16 only) + 1 emit cycle.
module cce_lz77 (
    input  logic        clk,
    input  logic        rst,
    input  logic        in_valid,
    output logic        in_ready,
    input  logic [63:0] in_data,
    input  logic        in_first,
    input  logic [31:0] cfg_len,
    input  logic [3:0]  cfg_wbits,
    output logic        out_valid,
    input  logic        out_ready,
    output logic [1:0]  out_kind,
    output logic [7:0]  out_lit,
    output logic [8:0]  out_len,
    output logic [15:0] out_dist
);
    localparam int MAX_MATCH = 258;
    localparam int MAX_INSERT = 16;

    typedef enum logic [2:0] { S_IDLE, S_CLEAR, S_PROBE, S_EXTEND, S_INSERT, S_EMIT, S_TAIL, S_END }
        state_t;

    logic [7:0]  ring_q [65536];
    logic [31:0] head_q [32768];
    logic [31:0] hvalid_q [1024];  // valid bit per head entry, 32 per word
    logic [9:0]  clr_q;           // clear sweep index

    state_t      st_q;
    logic        job_q;       // a job is open (first beat seen)
    logic [31:0] len_q;       // job length (end)
    logic [31:0] wr_q;        // bytes received
    logic [31:0] pos_q;       // finder position
    logic [3:0]  hb_q;
    logic [15:0] maxd_q;      // 2^wbits - 1
    logic [31:0] cand_q;
    logic [8:0]  mlen_q;      // matched length so far (>= 4)
    logic [8:0]  mmax_q;      // min(258, end - pos)
    logic [31:0] ins_q;       // next position to insert
    logic [31:0] ins_end_q;   // insert while ins_q < ins_end_q
    logic [1:0]  okind_q;
    logic [7:0]  olit_q;
    logic [8:0]  olen_q;
    logic [15:0] odist_q;
    logic        ovalid_q;

    function automatic logic [14:0] hash4(input logic [31:0] w, input logic [3:0] hb);
        logic [31:0] p;
        p = w * 32'h9E3779B1;
        return 15'(p >> (6'd32 - {2'b0, hb}));
    endfunction

    function automatic logic [31:0] rd32(input logic [31:0] p);
        return {ring_q[16'(p + 32'd3)], ring_q[16'(p + 32'd2)], ring_q[16'(p + 32'd1)],
                ring_q[16'(p)]};
    endfunction

    // hash_end = end >= 4 ? end - 3 : 0
    logic [31:0] hash_end;
    assign hash_end = (len_q >= 32'd4) ? len_q - 32'd3 : 32'd0;

    // ---- input ---------------------------------------------------------------
    logic [31:0] in_cnt;      // bytes this beat carries
    logic [31:0] wr_base;
    logic [31:0] job_len;
    always_comb begin
        wr_base = in_first ? 32'd0 : wr_q;
        job_len = in_first ? cfg_len : len_q;
        in_cnt = (job_len - wr_base > 32'd8) ? 32'd8 : job_len - wr_base;
    end
    // A new job may start once the previous one is finished (IDLE); data
    // beats while a job is open and there is room in the ring.
    assign in_ready = in_first ? (st_q == S_IDLE && !job_q)
                               : (job_q && wr_q < len_q && (wr_q + 32'd8 - pos_q) <= 32'd32768);
    logic in_fire;
    assign in_fire = in_valid && in_ready;

    // ---- finder --------------------------------------------------------------
    // Bytes needed at pos before it can be processed: all of them up to
    // min(pos + 258 + 8, end) (the 8-byte compare may look past the match).
    logic ready_at_pos;
    assign ready_at_pos = (wr_q >= len_q) || (wr_q - pos_q >= 32'd272);

    logic [31:0] cur4, cand4, cand_p, cdist;
    logic [14:0] h;
    logic [31:0] end_minus_pos;
    logic [8:0]  mmax;
    always_comb begin
        cur4 = rd32(pos_q);
        h = hash4(cur4, hb_q);
        cand_p = hvalid_q[h[14:5]][h[4:0]] ? head_q[h] : 32'd0;
        cand4 = rd32(cand_p);
        cdist = pos_q - cand_p;
        end_minus_pos = len_q - pos_q;
        mmax = (end_minus_pos > 32'(MAX_MATCH)) ? 9'(MAX_MATCH) : end_minus_pos[8:0];
    end

    // Extension: compare up to 8 bytes at mlen_q.
    logic [3:0] ext_n;        // equal bytes in this step (0..8)
    logic       ext_stop;     // mismatch found or limit reached
    always_comb begin
        logic [8:0] room;
        logic       run;
        room = mmax_q - mlen_q;
        ext_n = 4'd0;
        run = 1'b1;
        for (int i = 0; i < 8; i++) begin
            if (run && 9'(i) < room &&
                ring_q[16'(cand_q + 32'(mlen_q) + 32'(i))] ==
                ring_q[16'(pos_q + 32'(mlen_q) + 32'(i))])
                ext_n = ext_n + 4'd1;
            else
                run = 1'b0;
        end
        ext_stop = !run || (9'(ext_n) == room);
    end

    assign out_valid = ovalid_q;
    assign out_kind  = okind_q;
    assign out_lit   = olit_q;
    assign out_len   = olen_q;
    assign out_dist  = odist_q;
    logic out_free;   // the token register can take a token this cycle
    assign out_free = !ovalid_q || out_ready;

    always_ff @(posedge clk) begin
        if (rst) begin
            st_q      <= S_IDLE;
            job_q     <= 1'b0;
            len_q     <= 32'd0;
            wr_q      <= 32'd0;
            pos_q     <= 32'd0;
            hb_q      <= 4'd10;
            maxd_q    <= 16'd0;
            cand_q    <= 32'd0;
            mlen_q    <= 9'd0;
            mmax_q    <= 9'd0;
            ins_q     <= 32'd0;
            ins_end_q <= 32'd0;
            okind_q   <= 2'd0;
            olit_q    <= 8'd0;
            olen_q    <= 9'd0;
            odist_q   <= 16'd0;
            ovalid_q  <= 1'b0;
            clr_q     <= 10'd0;
        end else begin
            if (ovalid_q && out_ready) ovalid_q <= 1'b0;

            if (in_fire) begin
                for (int i = 0; i < 8; i++)
                    if (32'(i) < in_cnt) ring_q[16'(wr_base + 32'(i))] <= in_data[8*i +: 8];
                wr_q <= wr_base + in_cnt;
                if (in_first) begin
                    logic [3:0] hb;
                    hb = 4'd10;
                    for (int k = 10; k < 15; k++)
                        if (hb == 4'(k) && (32'd1 << k) < cfg_len) hb = hb + 4'd1;
                    job_q    <= 1'b1;
                    len_q    <= cfg_len;
                    pos_q    <= 32'd0;
                    hb_q     <= hb;
                    maxd_q   <= 16'((32'd1 << cfg_wbits) - 32'd1);
                    clr_q     <= 10'd0;
                    st_q     <= S_CLEAR;
                end
            end

            case (st_q)
                S_CLEAR: begin
                    // Invalidate the 2^hb head entries, 32 per cycle.
                    hvalid_q[clr_q] <= 32'd0;
                    clr_q <= clr_q + 10'd1;
                    if ({5'd0, clr_q} == 15'((32'd1 << hb_q) >> 5) - 15'd1) st_q <= S_PROBE;
                end
                S_PROBE: begin
                    if (pos_q >= hash_end) begin
                        st_q <= S_TAIL;
                    end else if (ready_at_pos && out_free) begin
                        head_q[h]   <= pos_q;
                        hvalid_q[h[14:5]][h[4:0]] <= 1'b1;
                        if (cdist - 32'd1 < {16'd0, maxd_q} && cand4 == cur4) begin
                            cand_q <= cand_p;
                            mlen_q <= 9'd4;
                            mmax_q <= mmax;
                            st_q   <= S_EXTEND;
                        end else begin
                            ovalid_q <= 1'b1;
                            okind_q  <= 2'd0;
                            olit_q   <= cur4[7:0];
                            pos_q    <= pos_q + 32'd1;
                        end
                    end
                end
                S_EXTEND: begin
                    mlen_q <= mlen_q + 9'(ext_n);
                    if (ext_stop) begin
                        logic [31:0] stop_p;
                        stop_p = pos_q + 32'(mlen_q) + 32'(ext_n);
                        ins_q     <= pos_q + 32'd1;
                        ins_end_q <= (stop_p < hash_end) ? stop_p : hash_end;
                        st_q <= (mlen_q + 9'(ext_n) <= 9'(MAX_INSERT)) ? S_INSERT : S_EMIT;
                    end
                end
                S_INSERT: begin
                    if (ins_q < ins_end_q) begin
                        logic [14:0] hq;
                        hq = hash4(rd32(ins_q), hb_q);
                        head_q[hq]   <= ins_q;
                        hvalid_q[hq[14:5]][hq[4:0]] <= 1'b1;
                        ins_q <= ins_q + 32'd1;
                    end else begin
                        st_q <= S_EMIT;
                    end
                end
                S_EMIT: begin
                    if (out_free) begin
                        ovalid_q <= 1'b1;
                        okind_q  <= 2'd1;
                        olen_q   <= mlen_q;
                        odist_q  <= 16'(pos_q - cand_q);
                        pos_q    <= pos_q + 32'(mlen_q);
                        st_q     <= S_PROBE;
                    end
                end
                S_TAIL: begin
                    if (pos_q >= len_q) begin
                        st_q <= S_END;
                    end else if (wr_q > pos_q && out_free) begin
                        ovalid_q <= 1'b1;
                        okind_q  <= 2'd0;
                        olit_q   <= ring_q[16'(pos_q)];
                        pos_q    <= pos_q + 32'd1;
                    end
                end
                S_END: begin
                    if (out_free) begin
                        ovalid_q <= 1'b1;
                        okind_q  <= 2'd2;
                        job_q    <= 1'b0;
                        st_q     <= S_IDLE;
                    end
                end
                default: ;
            endcase
        end
    end
endmodule
