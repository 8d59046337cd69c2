package service

import "testing"

// TestAttachmentNameIsStoredText: an uploaded file's name, as the browser
// gives it, loses control and text-direction characters (a name ending in
// "\u202efdp.exe" would show as "exe.pdf") and is kept in NFC.
func TestAttachmentNameIsStoredText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"intyg.pdf", "intyg.pdf"},
		{"faktura\u202efdp.exe", "fakturafdp.pdf"},
		{"\u2066lo\u0308n\u2069.pdf", "lön.pdf"},
		{"rad\nett\x00.pdf", "radett.pdf"},
	}
	for _, tt := range tests {
		if got := attachmentName(tt.in, ".pdf"); got != tt.want {
			t.Errorf("attachmentName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
