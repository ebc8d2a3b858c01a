"""Character consistency: is each character the same person in every shot?

Two measures, each named for what it is:
- `faces`: dlib's 128-d face embeddings (the `[faces]` extra: face_recognition_models + dlib-bin, weights shipped
  in the package). A face found in a keyframe or a clip's frame is compared with the reference picture of the
  character the shot names; distance 0.6 is dlib's usual same-person line.
- `drawn`: for the procedural illustrator's drawn characters, where dlib finds no face, the colours and the
  silhouette of the figure in the box the illustrator reports for it, against the character's reference sheet.
  It checks the drawing's palette and shape, not a person's identity.
A picture where neither applies is "not measurable", never a pass.
"""
