// SPDX-License-Identifier: MIT
// cce_sha256: the SHA-256 compression function (FIPS 180-4), one round per
// clock. Bit-identical to cce::datapath::Sha256::compress().
//
// Interface (clk rising edge, rst synchronous active-high):
//   in_valid/in_ready  one 64-byte message block per beat
//   in_block[511:0]    W[i] = in_block[32i +: 32], i = 0..15, where W[i] is
//                      the big-endian word at message bytes 4i..4i+3
//   in_first           first block of a job: the chaining state is loaded
//                      from in_h (H[i] = in_h[32i +: 32]) instead of being
//                      carried from the previous block
//   in_last            last block of a job: the new state is presented on
//                      out_h (same layout) with out_valid, held until
//                      out_ready
// Timing: a block is accepted in one cycle, 64 round cycles follow, the
// feed-forward addition happens in the cycle that accepts the next block:
// 65 cycles per 64-byte block when the input keeps up (0.98 B/cycle).
// Latency from the accepting cycle of the last block to out_valid: 65 cycles.
module cce_sha256 (
    input  logic         clk,
    input  logic         rst,
    input  logic         in_valid,
    output logic         in_ready,
    input  logic [511:0] in_block,
    input  logic         in_first,
    input  logic         in_last,
    input  logic [255:0] in_h,
    output logic         out_valid,
    input  logic         out_ready,
    output logic [255:0] out_h
);
    localparam logic [31:0] K [64] = '{
        32'h428a2f98, 32'h71374491, 32'hb5c0fbcf, 32'he9b5dba5,
        32'h3956c25b, 32'h59f111f1, 32'h923f82a4, 32'hab1c5ed5,
        32'hd807aa98, 32'h12835b01, 32'h243185be, 32'h550c7dc3,
        32'h72be5d74, 32'h80deb1fe, 32'h9bdc06a7, 32'hc19bf174,
        32'he49b69c1, 32'hefbe4786, 32'h0fc19dc6, 32'h240ca1cc,
        32'h2de92c6f, 32'h4a7484aa, 32'h5cb0a9dc, 32'h76f988da,
        32'h983e5152, 32'ha831c66d, 32'hb00327c8, 32'hbf597fc7,
        32'hc6e00bf3, 32'hd5a79147, 32'h06ca6351, 32'h14292967,
        32'h27b70a85, 32'h2e1b2138, 32'h4d2c6dfc, 32'h53380d13,
        32'h650a7354, 32'h766a0abb, 32'h81c2c92e, 32'h92722c85,
        32'ha2bfe8a1, 32'ha81a664b, 32'hc24b8b70, 32'hc76c51a3,
        32'hd192e819, 32'hd6990624, 32'hf40e3585, 32'h106aa070,
        32'h19a4c116, 32'h1e376c08, 32'h2748774c, 32'h34b0bcb5,
        32'h391c0cb3, 32'h4ed8aa4a, 32'h5b9cca4f, 32'h682e6ff3,
        32'h748f82ee, 32'h78a5636f, 32'h84c87814, 32'h8cc70208,
        32'h90befffa, 32'ha4506ceb, 32'hbef9a3f7, 32'hc67178f2
    };

    typedef enum logic [1:0] { S_IDLE, S_RUN, S_DONE } state_t;

    state_t       st_q;
    logic [5:0]   rnd_q;
    logic         last_q;
    logic [31:0]  w_q [16];   // message schedule window, w_q[0] = W[t]
    logic [31:0]  v_q [8];    // working variables a..h
    logic [31:0]  hb_q [8];   // chaining value the block started from

    function automatic logic [31:0] rotr(input logic [31:0] x, input int n);
        return (x >> n) | (x << (32 - n));
    endfunction

    // Feed-forward sum (the block's output state).
    logic [31:0]  sum [8];
    always_comb begin
        for (int i = 0; i < 8; i++) sum[i] = hb_q[i] + v_q[i];
    end

    // One round on v_q with W[t] = w_q[0], K[t] = K[rnd_q].
    logic [31:0] t1, t2, s0, s1, ch, maj, wn, sg0, sg1;
    always_comb begin
        s1  = rotr(v_q[4], 6) ^ rotr(v_q[4], 11) ^ rotr(v_q[4], 25);
        ch  = (v_q[4] & v_q[5]) ^ (~v_q[4] & v_q[6]);
        t1  = v_q[7] + s1 + ch + K[rnd_q] + w_q[0];
        s0  = rotr(v_q[0], 2) ^ rotr(v_q[0], 13) ^ rotr(v_q[0], 22);
        maj = (v_q[0] & v_q[1]) ^ (v_q[0] & v_q[2]) ^ (v_q[1] & v_q[2]);
        t2  = s0 + maj;
        // W[t+16] = sigma1(W[t+14]) + W[t+9] + sigma0(W[t+1]) + W[t]
        sg0 = rotr(w_q[1], 7) ^ rotr(w_q[1], 18) ^ (w_q[1] >> 3);
        sg1 = rotr(w_q[14], 17) ^ rotr(w_q[14], 19) ^ (w_q[14] >> 10);
        wn  = sg1 + w_q[9] + sg0 + w_q[0];
    end

    logic carry_ok;  // DONE state of a non-last block: can take the next one
    assign carry_ok  = (st_q == S_DONE) && !last_q;
    assign in_ready  = (st_q == S_IDLE) || carry_ok;
    assign out_valid = (st_q == S_DONE) && last_q;
    always_comb begin
        for (int i = 0; i < 8; i++) out_h[32*i +: 32] = sum[i];
    end

    logic fire;
    assign fire = in_valid && in_ready;

    always_ff @(posedge clk) begin
        if (rst) begin
            st_q   <= S_IDLE;
            rnd_q  <= 6'd0;
            last_q <= 1'b0;
            for (int i = 0; i < 8; i++) begin
                v_q[i]  <= 32'h0;
                hb_q[i] <= 32'h0;
            end
            for (int i = 0; i < 16; i++) w_q[i] <= 32'h0;
        end else begin
            case (st_q)
                S_RUN: begin
                    v_q[0] <= t1 + t2;
                    v_q[1] <= v_q[0];
                    v_q[2] <= v_q[1];
                    v_q[3] <= v_q[2];
                    v_q[4] <= v_q[3] + t1;
                    v_q[5] <= v_q[4];
                    v_q[6] <= v_q[5];
                    v_q[7] <= v_q[6];
                    for (int i = 0; i < 15; i++) w_q[i] <= w_q[i + 1];
                    w_q[15] <= wn;
                    rnd_q   <= rnd_q + 6'd1;
                    if (rnd_q == 6'd63) st_q <= S_DONE;
                end
                S_DONE: begin
                    // Commit the block's result as the chaining value when
                    // leaving (a presented result must hold until taken).
                    if (!last_q || out_ready) begin
                        for (int i = 0; i < 8; i++) hb_q[i] <= sum[i];
                        if (!fire) st_q <= S_IDLE;
                    end
                end
                default: ;
            endcase
            if (fire) begin
                for (int i = 0; i < 8; i++) begin
                    v_q[i]  <= in_first ? in_h[32*i +: 32] : (st_q == S_DONE ? sum[i] : hb_q[i]);
                    hb_q[i] <= in_first ? in_h[32*i +: 32] : (st_q == S_DONE ? sum[i] : hb_q[i]);
                end
                for (int i = 0; i < 16; i++) w_q[i] <= in_block[32*i +: 32];
                last_q <= in_last;
                rnd_q  <= 6'd0;
                st_q   <= S_RUN;
            end
        end
    end
endmodule
